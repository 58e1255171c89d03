"""Mentions: `@username` of members, `@all`/`@here` from a group's managers, and the
unread mention count of the chat list."""

from typing import Any

from tests.sockets import open_socket
from tests.support import Api, RunningServer, User


async def _chat(user: User, chat_id: int) -> dict[str, Any]:
    listed = [c for c in (await user.get("/chats")).json() if c["id"] == chat_id]
    single = (await user.get(f"/chats/{chat_id}")).json()
    # The list and the single chat agree (members aside: presence may change in between).
    assert [{**c, "members": None} for c in listed] == [{**single, "members": None}]
    return dict(single)


async def test_usernames_of_members_case_insensitively(api: Api) -> None:
    alice, bob, carol, eve = [await api.user() for _ in range(4)]
    cid = (await alice.group("Mentions", bob, carol))["id"]
    text = (
        f"@{bob.username.upper()} and (@{carol.username}), not @{eve.username}, "
        f"not me @{alice.username}, nor mail {bob.username}@example.com, nor @nobody_here"
    )
    sent = await alice.say(cid, text)
    assert sent["mentions"] == sorted([bob.id, carol.id])
    assert (await bob.say(cid, f"thanks @{alice.username}."))["mentions"] == [alice.id]
    assert (await bob.say(cid, "no one here, mail me@x.org"))["mentions"] == []
    page = (await carol.get(f"/chats/{cid}/messages")).json()
    assert [m["mentions"] for m in page] == [sorted([bob.id, carol.id]), [alice.id], []]


async def test_all_and_here_from_managers_only(api: Api) -> None:
    owner, admin, member, other = [await api.user() for _ in range(4)]
    cid = (await owner.group("Everyone", member, other))["id"]
    r = await owner.post(f"/chats/{cid}/members", json={"user_id": admin.id, "role": "admin"})
    assert r.status_code == 201, r.text
    everyone = sorted([owner.id, admin.id, member.id, other.id])
    sent = await owner.say(cid, "@all meeting")
    assert sent["mentions"] == [u for u in everyone if u != owner.id]
    sent = await admin.say(cid, "@HERE now")
    assert sent["mentions"] == [u for u in everyone if u != admin.id]
    # From a plain member it is just text (a named mention still counts).
    assert (await member.say(cid, "@all please"))["mentions"] == []
    sent = await member.say(cid, f"@all @{other.username}")
    assert sent["mentions"] == [other.id]


async def test_all_in_a_direct_chat_is_a_username(api: Api) -> None:
    alice = await api.user()
    everybody = await api.user(name="all")
    cid = (await alice.direct_chat(everybody))["id"]
    assert (await alice.say(cid, "hey @all"))["mentions"] == [everybody.id]


async def test_an_edit_re_evaluates_mentions(api: Api, server: RunningServer) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Edits", bob, carol))["id"]
    mid = (await alice.say(cid, f"hi @{bob.username}"))["id"]
    assert (await _chat(bob, cid))["mention_count"] == 1
    url = f"/chats/{cid}/messages/{mid}"
    async with open_socket(server.ws_url, carol.token) as c:
        await c.send({"type": "ping"})
        await c.next("pong")
        r = await alice.patch(url, json={"content": f"hi @{carol.username}"})
        assert r.status_code == 200 and r.json()["mentions"] == [carol.id]
        assert (await c.next("message.updated"))["message"]["mentions"] == [carol.id]
    assert (await _chat(bob, cid))["mention_count"] == 0
    assert (await _chat(carol, cid))["mention_count"] == 1
    r = await alice.patch(url, json={"content": "hi all"})
    assert r.json()["mentions"] == []
    assert (await _chat(carol, cid))["mention_count"] == 0


async def test_mention_count_rises_and_falls_as_i_read(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.group("Counting", bob))["id"]
    first = await alice.say(cid, f"@{bob.username} one")
    await alice.say(cid, "no mention")
    third = await alice.say(cid, f"two @{bob.username}")
    fourth = await alice.say(cid, f"three @{bob.username}")
    chat = await _chat(bob, cid)
    assert (chat["unread_count"], chat["mention_count"]) == (4, 3)
    assert (await _chat(alice, cid))["mention_count"] == 0  # her own messages
    # A deleted message no longer counts.
    assert (await alice.delete(f"/chats/{cid}/messages/{fourth['id']}")).status_code == 204
    assert (await _chat(bob, cid))["mention_count"] == 2
    read = f"/chats/{cid}/read"
    assert (await bob.post(read, json={"message_id": first["id"]})).status_code == 204
    chat = await _chat(bob, cid)
    assert (chat["unread_count"], chat["mention_count"]) == (2, 1)
    assert (await bob.post(read, json={"message_id": third["id"]})).status_code == 204
    chat = await _chat(bob, cid)
    assert (chat["unread_count"], chat["mention_count"]) == (0, 0)
    # Replying marks everything read, mentions included.
    await alice.say(cid, f"again @{bob.username}")
    assert (await _chat(bob, cid))["mention_count"] == 1
    await bob.say(cid, "ok")
    assert (await _chat(bob, cid))["mention_count"] == 0


async def test_mentions_over_the_socket(api: Api, server: RunningServer) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    async with (
        open_socket(server.ws_url, alice.token) as a,
        open_socket(server.ws_url, bob.token) as b,
    ):
        for sock in (a, b):
            await sock.send({"type": "ping"})
            await sock.next("pong")
        await a.send({"type": "message.send", "chat_id": cid, "content": f"@{bob.username}!"})
        assert (await a.next("message.ack"))["message"]["mentions"] == [bob.id]
        assert (await b.next("message.new"))["message"]["mentions"] == [bob.id]
