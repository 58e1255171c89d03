"""The reaction and reply rules called directly on a real session (SQLite and MariaDB)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import false, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import InvalidInput, NotFound
from parley.core.events import Event
from parley.core.unit_of_work import UnitsOfWork
from parley.db.database import create_engine, create_sessionmaker
from parley.db.models import Message, Reaction
from parley.messages import reactions
from parley.messages import service as messages
from parley.messages.views import MESSAGE, per_viewer
from tests.support import empty_tables
from tests.test_services import LINKS, Db, group, say


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    await empty_tables(database_url)
    engine = create_engine(database_url)

    async def publish(event: Event) -> None:
        pass

    try:
        yield Db(UnitsOfWork(create_sessionmaker(engine), publish))
    finally:
        await engine.dispose()


async def test_add_and_remove_say_whether_anything_changed(db: Db) -> None:
    alice, bob, eve = await db.people("alice", "bob", "eve")
    chat = await group(db, alice, bob)
    mid = (await say(db, alice, chat.id, "hi")).message.id
    assert await db.run(reactions.add, bob.id, chat.id, mid, "👍") is True
    assert await db.run(reactions.add, bob.id, chat.id, mid, "👍") is False
    assert await db.count(Reaction) == 1
    hint = await db.read(lambda s: s.scalar(select(Message.reacted).where(Message.id == mid)))
    assert hint is True
    assert await db.run(reactions.remove, bob.id, chat.id, mid, "👍") is True
    assert await db.run(reactions.remove, bob.id, chat.id, mid, "👍") is False
    assert await db.count(Reaction) == 0
    with pytest.raises(NotFound):
        await db.run(reactions.add, eve.id, chat.id, mid, "👍")
    with pytest.raises(NotFound):
        await db.run(reactions.add, bob.id, chat.id, mid + 1000, "👍")


async def test_losing_the_insert_race_keeps_the_transaction(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Had the look missed a reaction stored meanwhile, the unique constraint answers: the
    savepoint undoes the insert alone, and the rest of the unit still commits."""
    alice, bob = await db.people("alice", "bob")
    chat = await group(db, alice, bob)
    mid = (await say(db, alice, chat.id, "hi")).message.id
    assert await db.run(reactions.add, bob.id, chat.id, mid, "🎉") is True
    monkeypatch.setattr(reactions, "_MINE", select(literal(1)).where(false()))

    async def twice_then_more(session: AsyncSession) -> bool:
        again = await reactions.add(session, bob.id, chat.id, mid, "🎉")
        await reactions.add(session, bob.id, chat.id, mid, "👍")
        return again

    assert await db.run(twice_then_more) is False
    assert await db.count(Reaction) == 2  # the 👍 after the lost race was kept


async def test_per_viewer_views_are_disjoint_and_cover_every_member(db: Db) -> None:
    alice, bob, carol, dan = await db.people("alice", "bob", "carol", "dan")
    chat = await group(db, alice, bob, carol, dan)
    mid = (await say(db, alice, chat.id, "hi")).message.id
    for user, emoji in ((bob, "👍"), (carol, "👍"), (carol, "🎉")):
        await db.run(reactions.add, user.id, chat.id, mid, emoji)
    (fields,) = await db.run(messages.history, LINKS, alice.id, chat.id, limit=1)
    message = MESSAGE.validate_python(fields)
    members = frozenset({alice.id, bob.id, carol.id, dan.id})
    views = await db.run(per_viewer, message, members)
    audiences = [audience for _, audience in views]
    assert (
        sum(len(a) for a in audiences) == len(members) and frozenset().union(*audiences) == members
    )
    seen = {
        user: [(r.emoji, r.count, r.me) for r in view.reactions]
        for view, audience in views
        for user in audience
    }
    assert seen[alice.id] == seen[dan.id] == [("👍", 2, False), ("🎉", 1, False)]
    assert seen[bob.id] == [("👍", 2, True), ("🎉", 1, False)]
    assert seen[carol.id] == [("👍", 2, True), ("🎉", 1, True)]
    assert len(views) == 3


async def test_a_reply_is_refused_in_a_shared_batch_by_raising(db: Db) -> None:
    alice, bob = await db.people("alice", "bob")
    chat = await group(db, alice, bob)
    other = await group(db, alice, bob, title="Other")
    elsewhere = (await say(db, alice, other.id, "there")).message.id
    with pytest.raises(InvalidInput):
        await db.run(
            messages.send, LINKS, alice.id, chat.id, "re", reply_to_id=elsewhere, shared=True
        )
    assert await db.count(Message, Message.chat_id == chat.id) == 0
