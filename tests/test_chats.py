"""Direct and group chats, roles, and the chat list."""

import asyncio

from sqlalchemy import event

from tests.support import Api, RunningServer


async def test_direct_chat_is_created_once(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    r = await alice.post("/chats", json={"is_group": False, "member_ids": [bob.id]})
    assert r.status_code == 201
    chat = r.json()
    assert chat["is_group"] is False and chat["title"] is None
    assert {m["user"]["id"] for m in chat["members"]} == {alice.id, bob.id}
    # From either side, the same chat comes back with 200.
    for who, other in ((alice, bob), (bob, alice)):
        r = await who.post("/chats", json={"is_group": False, "member_ids": [other.id]})
        assert r.status_code == 200
        assert r.json()["id"] == chat["id"]


async def test_ten_racing_requests_make_one_direct_chat(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    body = {"is_group": False, "member_ids": [bob.id]}
    results = await asyncio.gather(
        *[
            (alice if i % 2 else bob).post(
                "/chats", json=body | {"member_ids": [bob.id if i % 2 else alice.id]}
            )
            for i in range(10)
        ]
    )
    assert sorted(r.status_code for r in results).count(201) == 1
    assert all(r.status_code in (200, 201) for r in results)
    assert len({r.json()["id"] for r in results}) == 1
    assert len((await alice.get("/chats")).json()) == 1


async def test_direct_chat_rules(api: Api) -> None:
    alice = await api.user()
    r = await alice.post("/chats", json={"is_group": False, "member_ids": [alice.id]})
    assert r.status_code == 422
    r = await alice.post("/chats", json={"is_group": False, "member_ids": [987654]})
    assert r.status_code == 404


async def test_group_roles_and_title(api: Api) -> None:
    owner, admin, member, outsider = [await api.user() for _ in range(4)]
    chat = await owner.group("Team", member)
    roles = {m["user"]["id"]: m["role"] for m in chat["members"]}
    assert roles == {owner.id: "owner", member.id: "member"}

    r = await owner.post(
        f"/chats/{chat['id']}/members", json={"user_id": admin.id, "role": "admin"}
    )
    assert r.status_code == 201
    assert {m["user"]["id"]: m["role"] for m in r.json()["members"]}[admin.id] == "admin"
    r = await owner.post(f"/chats/{chat['id']}/members", json={"user_id": admin.id})
    assert r.status_code == 409

    # Members cannot rename or add; admins can rename and add members but not admins.
    r = await member.patch(f"/chats/{chat['id']}", json={"title": "Mine"})
    assert r.status_code == 403
    r = await member.post(f"/chats/{chat['id']}/members", json={"user_id": outsider.id})
    assert r.status_code == 403
    r = await admin.post(
        f"/chats/{chat['id']}/members", json={"user_id": outsider.id, "role": "admin"}
    )
    assert r.status_code == 403
    r = await admin.patch(f"/chats/{chat['id']}", json={"title": "  Renamed  "})
    assert r.status_code == 200 and r.json()["title"] == "Renamed"
    r = await admin.post(f"/chats/{chat['id']}/members", json={"user_id": outsider.id})
    assert r.status_code == 201

    # Admins may remove members, not the owner; members may only leave.
    r = await admin.delete(f"/chats/{chat['id']}/members/{owner.id}")
    assert r.status_code == 403
    r = await member.delete(f"/chats/{chat['id']}/members/{outsider.id}")
    assert r.status_code == 403
    r = await admin.delete(f"/chats/{chat['id']}/members/{outsider.id}")
    assert r.status_code == 204
    r = await outsider.get(f"/chats/{chat['id']}")
    assert r.status_code == 404
    r = await member.delete(f"/chats/{chat['id']}/members/{member.id}")
    assert r.status_code == 204
    r = await member.get(f"/chats/{chat['id']}/messages")
    assert r.status_code == 404
    r = await owner.delete(f"/chats/{chat['id']}/members/{member.id}")
    assert r.status_code == 404


async def test_owner_leaving_hands_the_group_on(api: Api) -> None:
    owner, admin, member = [await api.user() for _ in range(3)]
    chat = await owner.group("Book club", member)
    await owner.post(f"/chats/{chat['id']}/members", json={"user_id": admin.id, "role": "admin"})
    r = await owner.delete(f"/chats/{chat['id']}/members/{owner.id}")
    assert r.status_code == 204
    roles = {
        m["user"]["id"]: m["role"]
        for m in (await member.get(f"/chats/{chat['id']}")).json()["members"]
    }
    assert roles == {admin.id: "owner", member.id: "member"}


async def test_direct_chats_have_no_member_changes(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    chat = await alice.direct_chat(bob)
    assert (
        await alice.post(f"/chats/{chat['id']}/members", json={"user_id": carol.id})
    ).status_code == 403
    assert (await alice.patch(f"/chats/{chat['id']}", json={"title": "x"})).status_code == 403
    assert (await alice.delete(f"/chats/{chat['id']}/members/{alice.id}")).status_code == 403


async def test_group_needs_a_title_and_known_members(api: Api) -> None:
    alice = await api.user()
    r = await alice.post("/chats", json={"is_group": True, "member_ids": []})
    assert r.status_code == 422
    r = await alice.post("/chats", json={"is_group": True, "title": "   ", "member_ids": []})
    assert r.status_code == 422
    r = await alice.post("/chats", json={"is_group": True, "title": "x" * 101, "member_ids": []})
    assert r.status_code == 422
    r = await alice.post("/chats", json={"is_group": True, "title": "Solo", "member_ids": [424242]})
    assert r.status_code == 404
    r = await alice.post("/chats", json={"is_group": True, "title": "Solo", "member_ids": []})
    assert r.status_code == 201


async def test_chat_list_order_last_message_and_unread(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    first = await alice.direct_chat(bob)
    second = await alice.group("Group", bob, carol)
    await bob.say(first["id"], "one")
    await bob.say(first["id"], "two")
    last = await carol.say(second["id"], "three")

    chats = (await alice.get("/chats")).json()
    assert [c["id"] for c in chats] == [second["id"], first["id"]]
    assert chats[0]["last_message"]["id"] == last["id"]
    assert {c["id"]: c["unread_count"] for c in chats} == {first["id"]: 2, second["id"]: 1}
    # Your own messages never count as unread, and a new message moves its chat up.
    mine = await alice.say(first["id"], "four")
    chats = (await alice.get("/chats")).json()
    assert [c["id"] for c in chats] == [first["id"], second["id"]]
    assert chats[0]["last_message"]["id"] == mine["id"]
    # Replying marked what came before as read.
    assert chats[0]["unread_count"] == 0
    bob_view = {c["id"]: c["unread_count"] for c in (await bob.get("/chats")).json()}
    assert bob_view == {first["id"]: 1, second["id"]: 1}


async def test_chat_list_takes_a_fixed_number_of_queries(api: Api, server: RunningServer) -> None:
    alice = await api.user()
    friends = [await api.user() for _ in range(3)]

    async def count_queries() -> int:
        statements: list[str] = []

        def on_execute(*args: object) -> None:
            statements.append(str(args[2]))

        engine = server.app.state.parley.engine.sync_engine
        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            assert (await alice.get("/chats")).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return len(statements)

    first = await alice.direct_chat(friends[0])
    await friends[0].say(first["id"], "hi")
    one_chat = await count_queries()
    for i, friend in enumerate(friends):
        chat = await alice.group(f"g{i}", friend)
        await friend.say(chat["id"], "hello")
        await alice.direct_chat(friend)
    assert len((await alice.get("/chats")).json()) == 6
    assert await count_queries() == one_chat
