"""Making and unmaking admins: PATCH /chats/{id}/members/{user_id}, the owner's call alone."""

from typing import Any

from tests.sockets import open_socket
from tests.support import Api, RunningServer


def roles(chat: dict[str, Any]) -> dict[int, str]:
    return {m["user"]["id"]: m["role"] for m in chat["members"]}


async def test_owner_makes_and_unmakes_admins(api: Api, server: RunningServer) -> None:
    owner, bob, carol = await api.user(), await api.user(), await api.user()
    group = await owner.group("Roles", bob, carol)
    path = f"/chats/{group['id']}/members/{bob.id}"
    async with open_socket(server.ws_url, carol.token) as c:
        await c.send({"type": "ping"})
        await c.next("pong")
        r = await owner.patch(path, json={"role": "admin"})
        assert r.status_code == 200, r.text
        assert roles(r.json())[bob.id] == "admin"
        # Every member hears it: the new roles come in chat.updated.
        assert roles((await c.next("chat.updated"))["chat"])[bob.id] == "admin"
    assert roles((await carol.get(f"/chats/{group['id']}")).json())[bob.id] == "admin"

    # An admin now: may remove plain members, but may not hand out roles.
    r = await bob.patch(f"/chats/{group['id']}/members/{carol.id}", json={"role": "admin"})
    assert r.status_code == 403 and "only the owner" in r.json()["detail"]

    r = await owner.patch(path, json={"role": "member"})
    assert r.status_code == 200 and roles(r.json())[bob.id] == "member"


async def test_role_change_refusals(api: Api) -> None:
    owner, bob, outsider = await api.user(), await api.user(), await api.user()
    group = await owner.group("Rules", bob)
    gid = group["id"]
    # A plain member: 403 in words.
    r = await bob.patch(f"/chats/{gid}/members/{owner.id}", json={"role": "member"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # The owner's own role stays (a group always has its owner).
    r = await owner.patch(f"/chats/{gid}/members/{owner.id}", json={"role": "admin"})
    assert r.status_code == 403 and "owner's role" in r.json()["detail"]
    # Roles: admin or member only; "owner" is handed on by leaving, never set.
    r = await owner.patch(f"/chats/{gid}/members/{bob.id}", json={"role": "owner"})
    assert r.status_code == 422
    # Not a member of the chat, or not a chat of mine: 404.
    r = await owner.patch(f"/chats/{gid}/members/{outsider.id}", json={"role": "admin"})
    assert r.status_code == 404
    r = await outsider.patch(f"/chats/{gid}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 404
    # Direct chats have no roles to change.
    direct = await owner.direct_chat(bob)
    r = await owner.patch(f"/chats/{direct['id']}/members/{bob.id}", json={"role": "admin"})
    assert r.status_code == 403
