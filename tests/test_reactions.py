"""Reactions: idempotent PUT/DELETE of one emoji, counts with `me`, and their events."""

import asyncio
from typing import Any
from urllib.parse import quote

import emoji as emoji_data
import pytest
from sqlalchemy import text

from parley.db.database import GROUP_CONCAT_MAX
from tests.sockets import Socket, open_socket
from tests.support import Api, RunningServer, User

THUMBS = "👍"


def _path(chat_id: int, message_id: int, emoji: str) -> str:
    return f"/chats/{chat_id}/messages/{message_id}/reactions/{quote(emoji, safe='')}"


async def _settle(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def _reactions(user: User, chat_id: int) -> list[Any]:
    page = (await user.get(f"/chats/{chat_id}/messages")).json()
    return list(page[-1]["reactions"])


async def test_counts_order_and_me(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Reacting", bob, carol))["id"]
    mid = (await alice.say(cid, "news"))["id"]
    for user, emoji in ((bob, "🎉"), (carol, THUMBS), (alice, THUMBS), (carol, "🎉")):
        assert (await user.put(_path(cid, mid, emoji))).status_code == 204
    # Ordered by first use: 🎉 came before 👍.
    assert await _reactions(alice, cid) == [
        {"emoji": "🎉", "count": 2, "me": False},
        {"emoji": THUMBS, "count": 2, "me": True},
    ]
    assert await _reactions(bob, cid) == [
        {"emoji": "🎉", "count": 2, "me": True},
        {"emoji": THUMBS, "count": 2, "me": False},
    ]
    assert (await bob.delete(_path(cid, mid, "🎉"))).status_code == 204
    assert (await bob.delete(_path(cid, mid, "🎉"))).status_code == 204  # idempotent
    # First use of those still there: Carol's 🎉 came after the first 👍.
    assert await _reactions(bob, cid) == [
        {"emoji": THUMBS, "count": 2, "me": False},
        {"emoji": "🎉", "count": 1, "me": False},
    ]
    # The chat list's last message has them too, as the viewer sees them.
    chats = (await carol.get("/chats")).json()
    assert [r["me"] for r in chats[0]["last_message"]["reactions"]] == [True, True]


async def test_a_page_shows_every_reaction_however_many(
    api: Api, server: RunningServer, backend: str
) -> None:
    """A page reads a message's reactions as one string; MySQL cuts such strings at 1 KB
    unless told otherwise (about 40 reactions), so a connection raises the limit."""
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "vote"))["id"]
    many = sorted(e for e in emoji_data.EMOJI_DATA if len(e) == 1)[:60]
    for i, emoji in enumerate(many):
        user = alice if i % 2 else bob
        assert (await user.put(_path(cid, mid, emoji))).status_code == 204
    assert await _reactions(alice, cid) == [
        {"emoji": emoji, "count": 1, "me": bool(i % 2)} for i, emoji in enumerate(many)
    ]
    if backend == "mariadb":
        async with server.app.state.parley.engine.connect() as conn:
            limit = (await conn.execute(text("SELECT @@group_concat_max_len"))).scalar_one()
        assert limit == GROUP_CONCAT_MAX


@pytest.mark.parametrize(
    "emoji",
    ["👍🏽", "❤️", "👨‍👩‍👧", "🏳️‍🌈", "🇫🇷", "#️⃣", "🧑🏻‍❤️‍💋‍🧑🏼"],
)
async def test_skin_tones_variation_selectors_and_zwj_sequences_are_one_emoji(
    api: Api, emoji: str
) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "hi"))["id"]
    assert (await bob.put(_path(cid, mid, emoji))).status_code == 204
    assert await _reactions(bob, cid) == [{"emoji": emoji, "count": 1, "me": True}]


async def test_anything_but_one_emoji_is_422(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "hi"))["id"]
    base = f"/chats/{cid}/messages/{mid}/reactions/"
    for raw in (
        quote("a", safe=""),
        quote("ok", safe=""),
        quote("👍👍", safe=""),  # two emoji
        quote(THUMBS * 20, safe=""),  # too long
        quote(THUMBS + "x", safe=""),
        quote("\u200d", safe=""),
        "%F0",  # a broken UTF-8 sequence
        "%F0%9F%91",
        "%20",
    ):
        for method in (bob.put, bob.delete):
            r = await method(base + raw)
            assert r.status_code == 422, (raw, r.text)
            assert r.json()["code"] == "invalid_input"
    assert await _reactions(bob, cid) == []


async def test_non_members_and_other_messages_get_404(api: Api) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "private"))["id"]
    eves = (await eve.group("Eve's", await api.user()))["id"]
    eves_mid = (await eve.say(eves, "hers"))["id"]
    gone = (await alice.say(cid, "gone"))["id"]
    assert (await alice.delete(f"/chats/{cid}/messages/{gone}")).status_code == 204
    for method in ("put", "delete"):
        # Not a member: 404, with or without a real message.
        for user, chat, message in (
            (eve, cid, mid),
            (eve, 10**12, mid),
            (bob, cid, eves_mid),  # a message of another chat
            (bob, cid, gone),  # deleted
            (bob, cid, 10**12),
        ):
            r = await getattr(user, method)(_path(chat, message, THUMBS))
            assert r.status_code == 404, (method, chat, message, r.text)
            assert r.json()["code"] == "not_found"
    assert await _reactions(alice, cid) == []


async def test_concurrent_identical_puts_store_one_and_announce_once(
    api: Api, server: RunningServer
) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "race"))["id"]
    async with open_socket(server.ws_url, alice.token) as a:
        await _settle(a)
        puts = await asyncio.gather(*(bob.put(_path(cid, mid, THUMBS)) for _ in range(10)))
        assert [r.status_code for r in puts] == [204] * 10, [r.text for r in puts]
        assert await _reactions(alice, cid) == [{"emoji": THUMBS, "count": 1, "me": False}]
        added = await a.next("reaction.added")
        assert added == {
            "type": "reaction.added",
            "chat_id": cid,
            "message_id": mid,
            "emoji": THUMBS,
            "user_id": bob.id,
        }
        assert await a.quiet("reaction.added") == []
        deletes = await asyncio.gather(*(bob.delete(_path(cid, mid, THUMBS)) for _ in range(10)))
        assert [r.status_code for r in deletes] == [204] * 10
        removed = await a.next("reaction.removed")
        assert removed == {**added, "type": "reaction.removed"}
        assert await a.quiet("reaction.removed") == []
    assert await _reactions(alice, cid) == []


async def test_events_reach_every_member_and_no_one_else(api: Api, server: RunningServer) -> None:
    alice, bob, carol, eve = [await api.user() for _ in range(4)]
    cid = (await alice.group("Events", bob, carol))["id"]
    mid = (await alice.say(cid, "react to me"))["id"]
    async with (
        open_socket(server.ws_url, alice.token) as a,
        open_socket(server.ws_url, bob.token) as b,
        open_socket(server.ws_url, carol.token, chat_id=cid) as c,
        open_socket(server.ws_url, eve.token) as e,
    ):
        await _settle(a, b, c, e)
        assert (await carol.put(_path(cid, mid, "🔥"))).status_code == 204
        for sock in (a, b, c):
            frame = await sock.next("reaction.added")
            assert (frame["emoji"], frame["user_id"], frame["message_id"]) == ("🔥", carol.id, mid)
        assert (await carol.delete(_path(cid, mid, "🔥"))).status_code == 204
        for sock in (a, b, c):
            assert (await sock.next("reaction.removed"))["emoji"] == "🔥"
        # Removing what is not there changes nothing, so nobody hears of it.
        assert (await carol.delete(_path(cid, mid, "🔥"))).status_code == 204
        assert await a.quiet("reaction.removed") == []
        assert await e.quiet("reaction.added", wait=0.1) == []


async def test_an_edit_tells_each_member_their_own_me(api: Api, server: RunningServer) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Edits", bob, carol))["id"]
    mid = (await alice.say(cid, "draft"))["id"]
    assert (await bob.put(_path(cid, mid, THUMBS))).status_code == 204
    assert (await carol.put(_path(cid, mid, "🎉"))).status_code == 204
    async with (
        open_socket(server.ws_url, alice.token) as a,
        open_socket(server.ws_url, bob.token) as b,
        open_socket(server.ws_url, carol.token) as c,
    ):
        await _settle(a, b, c)
        r = await alice.patch(f"/chats/{cid}/messages/{mid}", json={"content": "final"})
        assert r.status_code == 200
        assert [x["me"] for x in r.json()["reactions"]] == [False, False]
        seen = {}
        for name, sock in (("alice", a), ("bob", b), ("carol", c)):
            frame = await sock.next("message.updated")
            assert frame["message"]["content"] == "final"
            seen[name] = [(x["emoji"], x["count"], x["me"]) for x in frame["message"]["reactions"]]
            assert await sock.quiet("message.updated", wait=0.2) == []  # one each
    assert seen == {
        "alice": [(THUMBS, 1, False), ("🎉", 1, False)],
        "bob": [(THUMBS, 1, True), ("🎉", 1, False)],
        "carol": [(THUMBS, 1, False), ("🎉", 1, True)],
    }


def _who(chat_id: int, message_id: int) -> str:
    return f"/chats/{chat_id}/messages/{message_id}/reactions"


async def test_who_reacted_in_first_use_and_reaction_order(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Who", bob, carol))["id"]
    mid = (await alice.say(cid, "who liked it?"))["id"]
    assert (await bob.get(_who(cid, mid))).json() == []  # nobody yet
    for user, emoji in ((bob, "🎉"), (carol, THUMBS), (alice, THUMBS), (carol, "🎉")):
        assert (await user.put(_path(cid, mid, emoji))).status_code == 204
    r = await bob.get(_who(cid, mid))
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"emoji": "🎉", "user_ids": [bob.id, carol.id]},
        {"emoji": THUMBS, "user_ids": [carol.id, alice.id]},
    ]
    # Bob takes his back and reacts again: he is now the last of those with 🎉, and 🎉's
    # first use is Carol's, after the first 👍: the order MessageOut.reactions has.
    assert (await bob.delete(_path(cid, mid, "🎉"))).status_code == 204
    assert (await bob.put(_path(cid, mid, "🎉"))).status_code == 204
    who = (await alice.get(_who(cid, mid))).json()
    assert who == [
        {"emoji": THUMBS, "user_ids": [carol.id, alice.id]},
        {"emoji": "🎉", "user_ids": [carol.id, bob.id]},
    ]
    counts = await _reactions(alice, cid)
    assert [(r["emoji"], r["count"]) for r in counts] == [
        (w["emoji"], len(w["user_ids"])) for w in who
    ]
    # Every member gets the same answer: there is no `me` in it.
    assert (await carol.get(_who(cid, mid))).json() == who


async def test_who_reacted_names_those_who_left_since(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Leaving", bob, carol))["id"]
    mid = (await alice.say(cid, "bye?"))["id"]
    assert (await carol.put(_path(cid, mid, "👋"))).status_code == 204
    assert (await carol.delete(f"/chats/{cid}/members/{carol.id}")).status_code == 204
    # Her reaction still counts, so she is still among those who reacted...
    assert await _reactions(bob, cid) == [{"emoji": "👋", "count": 1, "me": False}]
    assert (await bob.get(_who(cid, mid))).json() == [{"emoji": "👋", "user_ids": [carol.id]}]
    # ...but, no longer a member, she may not ask.
    r = await carol.get(_who(cid, mid))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


async def test_who_reacted_404s(api: Api) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "private"))["id"]
    assert (await bob.put(_path(cid, mid, THUMBS))).status_code == 204
    eves = (await eve.group("Eve's", await api.user()))["id"]
    eves_mid = (await eve.say(eves, "hers"))["id"]
    assert (await eve.put(_path(eves, eves_mid, THUMBS))).status_code == 204
    gone = (await alice.say(cid, "gone"))["id"]
    assert (await bob.put(_path(cid, gone, THUMBS))).status_code == 204
    assert (await alice.delete(f"/chats/{cid}/messages/{gone}")).status_code == 204
    for user, chat, message in (
        (eve, cid, mid),  # not a member
        (eve, 10**12, mid),  # no such chat
        (bob, cid, eves_mid),  # a message of another chat
        (bob, eves, eves_mid),  # ...asked for through that chat
        (bob, cid, gone),  # deleted, though it had reactions
        (bob, cid, 10**12),  # never existed
    ):
        r = await user.get(_who(chat, message))
        assert r.status_code == 404, (chat, message, r.text)
        assert r.json() == {"detail": r.json()["detail"], "code": "not_found"}
        assert r.json()["detail"]
    assert (await alice.get(_who(cid, mid))).json() == [{"emoji": THUMBS, "user_ids": [bob.id]}]
    assert (await alice.get(_who(cid, 0))).status_code == 422
