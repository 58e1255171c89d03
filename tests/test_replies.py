"""Replies: `reply_to_id` on send, and the `reply_to` preview derived when it is read."""

import asyncio
from typing import Any

from tests.sockets import open_socket
from tests.support import Api, RunningServer

NO_SUCH = "reply_to_id: no such message in this chat"


def _msg(response: Any) -> str:
    body = response.json()
    assert body["code"] == "invalid_input", body
    return str(body["detail"][0]["msg"])


async def test_a_reply_carries_a_preview_of_its_original(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    original = await alice.say(cid, "  what   about\nlunch?  " + "x" * 200)
    assert original["reply_to"] is None and original["reactions"] == []
    reply = await bob.say(cid, "yes", reply_to_id=original["id"])
    preview = reply["reply_to"]
    assert preview["id"] == original["id"] and preview["sender_id"] == alice.id
    assert preview["deleted"] is False
    # One line, at most 100 characters of the original.
    assert preview["excerpt"] == ("what about lunch? " + "x" * 200)[:100]
    page = (await alice.get(f"/chats/{cid}/messages")).json()
    assert page[-1]["reply_to"] == preview and page[0]["reply_to"] is None


async def test_the_preview_follows_edits_and_deletes_of_the_original(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    original = await alice.say(cid, "first words")
    reply = await bob.say(cid, "answer", reply_to_id=original["id"])
    url = f"/chats/{cid}/messages/{original['id']}"
    assert (await alice.patch(url, json={"content": "better words"})).status_code == 200
    page = (await bob.get(f"/chats/{cid}/messages")).json()
    assert page[-1]["reply_to"]["excerpt"] == "better words"
    assert (await alice.delete(url)).status_code == 204
    page = (await bob.get(f"/chats/{cid}/messages")).json()
    assert [m["id"] for m in page] == [reply["id"]]
    assert page[0]["reply_to"] == {
        "id": original["id"],
        "sender_id": alice.id,
        "excerpt": "",
        "deleted": True,
    }
    # The chat list's last message carries the same preview.
    chats = (await bob.get("/chats")).json()
    assert chats[0]["last_message"]["reply_to"]["deleted"] is True


async def test_replies_only_to_live_messages_of_the_same_chat(api: Api) -> None:
    alice, bob, eve = await api.user(), await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    other = (await alice.group("Elsewhere", bob))["id"]
    hidden = (await eve.group("Eve's", await api.user()))["id"]
    elsewhere = await alice.say(other, "in another chat")
    secret = await eve.say(hidden, "not for alice")
    gone = await alice.say(cid, "deleted soon")
    assert (await alice.delete(f"/chats/{cid}/messages/{gone['id']}")).status_code == 204
    url = f"/chats/{cid}/messages"
    for target in (elsewhere["id"], secret["id"], gone["id"], 10**12):
        r = await alice.post(url, json={"content": "re", "reply_to_id": target})
        # A message of a chat Alice cannot see gets the same answer as one that is not.
        assert r.status_code == 422 and _msg(r) == NO_SUCH, r.text
    for bad in (0, -1, "1", 2**63):
        r = await alice.post(url, json={"content": "re", "reply_to_id": bad})
        assert r.status_code == 422, r.text
    assert len((await alice.get(url)).json()) == 0  # nothing was stored


async def test_replies_over_the_socket(api: Api, server: RunningServer) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    original = await bob.say(cid, "ping?")
    async with (
        open_socket(server.ws_url, alice.token) as a,
        open_socket(server.ws_url, bob.token) as b,
    ):
        for sock in (a, b):
            await sock.send({"type": "ping"})
            await sock.next("pong")
        frame = {"type": "message.send", "chat_id": cid, "content": "pong", "client_id": "r1"}
        await a.send({**frame, "reply_to_id": original["id"]})
        ack = await a.next("message.ack")
        assert ack["message"]["reply_to"]["id"] == original["id"]
        new = await b.next("message.new")
        assert new["message"]["reply_to"] == ack["message"]["reply_to"]
        await a.send({**frame, "client_id": "r2", "reply_to_id": 10**12})
        error = await a.next("error")
        assert error["code"] == "invalid_input" and error["client_id"] == "r2"
        assert error["detail"] == NO_SUCH


async def test_since_replay_carries_replies_reactions_and_mentions(
    api: Api, server: RunningServer
) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.group("Replay", bob))["id"]
    before = await alice.say(cid, "start")
    original = await alice.say(cid, f"hi @{bob.username}")
    reply = await bob.say(cid, "hello", reply_to_id=original["id"])
    path = f"/chats/{cid}/messages/{original['id']}/reactions/%F0%9F%8E%89"
    assert (await bob.put(path)).status_code == 204
    async with open_socket(server.ws_url, bob.token, since=before["id"]) as b:
        first = (await b.next("message.new"))["message"]
        second = (await b.next("message.new"))["message"]
    assert first["id"] == original["id"] and first["mentions"] == [bob.id]
    assert first["reactions"] == [{"emoji": "🎉", "count": 1, "me": True}]
    assert second["id"] == reply["id"] and second["reply_to"]["id"] == original["id"]
    async with open_socket(server.ws_url, alice.token, since=before["id"]) as a:
        first = (await a.next("message.new"))["message"]
    assert first["reactions"] == [{"emoji": "🎉", "count": 1, "me": False}]


async def test_concurrent_sends_with_replies_and_mentions_fail_alone(api: Api) -> None:
    """On SQLite these share a transaction; a refused reply must not take the others down."""
    alice, bob = await api.user(), await api.user()
    cid = (await alice.group("Batch", bob))["id"]
    original = await bob.say(cid, "root")
    url = f"/chats/{cid}/messages"
    bodies = [
        {"content": f"@{bob.username} {i}", "reply_to_id": original["id"] if i % 3 else 10**12}
        for i in range(12)
    ]
    answers = await asyncio.gather(*(alice.post(url, json=body) for body in bodies))
    for i, r in enumerate(answers):
        if i % 3:
            assert r.status_code == 201, r.text
            assert r.json()["reply_to"]["id"] == original["id"]
            assert r.json()["mentions"] == [bob.id]
        else:
            assert r.status_code == 422 and _msg(r) == NO_SUCH
    page = (await bob.get(url)).json()
    assert sorted(m["content"] for m in page[1:]) == sorted(
        b["content"] for i, b in enumerate(bodies) if i % 3
    )
    assert all(m["mentions"] == [bob.id] for m in page[1:])
    chat = (await bob.get(f"/chats/{cid}")).json()
    assert chat["mention_count"] == 8


async def test_a_retried_reply_is_answered_after_its_original_was_deleted(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    original = await bob.say(cid, "soon gone")
    url = f"/chats/{cid}/messages"
    body = {"content": "re", "reply_to_id": original["id"], "client_id": "retry-1"}
    first = await alice.post(url, json=body)
    assert first.status_code == 201
    assert (await bob.delete(f"{url}/{original['id']}")).status_code == 204
    again = await alice.post(url, json=body)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["reply_to"] == {
        "id": original["id"],
        "sender_id": bob.id,
        "excerpt": "",
        "deleted": True,
    }
    # A new client_id is a new message, and that one is refused.
    r = await alice.post(url, json={**body, "client_id": "retry-2"})
    assert r.status_code == 422 and _msg(r) == NO_SUCH
