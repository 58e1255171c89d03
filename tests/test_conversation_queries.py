"""Replies, reactions and mentions cost a fixed number of queries per page or chat list,
none when no message has any, and nothing extra on a plain send."""

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from sqlalchemy import event

from tests.support import Api, RunningServer, User


@asynccontextmanager
async def _statements(server: RunningServer) -> AsyncIterator[list[str]]:
    statements: list[str] = []

    def on_execute(*args: object) -> None:
        statements.append(" ".join(str(args[2]).split()))

    engine = server.app.state.parley.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def _count(server: RunningServer, call: Awaitable[object]) -> list[str]:
    async with _statements(server) as statements:
        await call
    return list(statements)


async def _decorate(alice: User, bob: User, chat_id: int, n: int) -> None:
    """``n`` messages that each reply, mention and carry reactions."""
    target = (await alice.say(chat_id, "root"))["id"]
    for i in range(n):
        mid = (await bob.say(chat_id, f"@{alice.username} {i}", reply_to_id=target))["id"]
        for emoji in ("%F0%9F%91%8D", "%F0%9F%8E%89"):
            r = await alice.put(f"/chats/{chat_id}/messages/{mid}/reactions/{emoji}")
            assert r.status_code == 204


async def test_a_page_costs_the_same_however_many_messages_are_decorated(
    api: Api, server: RunningServer
) -> None:
    alice, bob = await api.user(), await api.user()
    plain = (await alice.group("Plain", bob))["id"]
    for i in range(12):
        await alice.say(plain, f"m{i}")
    few = (await alice.group("Few", bob))["id"]
    await _decorate(alice, bob, few, 2)
    many = (await alice.group("Many", bob))["id"]
    await _decorate(alice, bob, many, 12)

    def page(chat_id: int) -> Awaitable[object]:
        return alice.get(f"/chats/{chat_id}/messages")

    plain_page = await _count(server, page(plain))
    few_page = await _count(server, page(few))
    many_page = await _count(server, page(many))
    # Reply previews, reactions and mentions come with the page's own rows: no statement
    # more than a page of plain messages makes, however many messages have them.
    assert len(plain_page) == len(few_page) == len(many_page)
    for table in ("message_reactions", "message_mentions"):
        assert len([s for s in many_page if table in s]) == 1
    page_json = (await alice.get(f"/chats/{many}/messages")).json()
    assert len(page_json) == 13
    assert all(m["reply_to"] and m["mentions"] and len(m["reactions"]) == 2 for m in page_json[1:])


async def test_the_chat_list_costs_the_same_with_decorated_last_messages(
    api: Api, server: RunningServer
) -> None:
    alice = await api.user()
    friends = [await api.user() for _ in range(3)]
    # Each chat's last message: a friend's reply to Alice that mentions her, with reactions.
    first = (await alice.group("g0", friends[0]))["id"]
    await _decorate(alice, friends[0], first, 1)
    one_chat = len(await _count(server, alice.get("/chats")))
    for i, friend in enumerate(friends):
        chat = (await alice.group(f"g{i + 1}", friend))["id"]
        await _decorate(alice, friend, chat, 1)
    chats = (await alice.get("/chats")).json()
    assert len(chats) == 4
    assert [c["mention_count"] for c in chats] == [1, 1, 1, 1]
    assert all(c["last_message"]["reply_to"] and c["last_message"]["mentions"] for c in chats)
    assert [len(c["last_message"]["reactions"]) for c in chats] == [2, 2, 2, 2]
    assert len(await _count(server, alice.get("/chats"))) == one_chat


async def test_a_plain_send_asks_nothing_about_replies_or_mentions(
    api: Api, server: RunningServer
) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.group("Quiet", bob))["id"]
    await alice.say(cid, "warm up")
    url = f"/chats/{cid}/messages"
    plain = await _count(server, alice.post(url, json={"content": "just text"}))
    mail = await _count(server, alice.post(url, json={"content": "write to me@example.com"}))
    assert len(plain) == len(mail)
    for statements in (plain, mail):
        # Neither the members' names (asked for mentions) nor the mentions table.
        assert not [s for s in statements if "message_mentions" in s or "is_group" in s]
    mention = await _count(server, alice.post(url, json={"content": f"@{bob.username} hi"}))
    # One look at the members, one insert of the mentions.
    assert len(mention) == len(plain) + 2
