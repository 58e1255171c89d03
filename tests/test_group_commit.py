"""SQLite writes sends in batches: one transaction and one durable commit for many senders.

Each sender's answer comes only after its batch committed; a batch in which any write
fails is written again one by one, so one bad message fails alone.
"""

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import NotFound
from parley.core.events import Event, record
from parley.core.unit_of_work import UnitsOfWork
from parley.db import migrate
from parley.db.database import create_engine, create_sessionmaker
from tests.support import Api, empty_tables


async def _units(tmp_path: Path) -> tuple[UnitsOfWork, list[Event], Any]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    return UnitsOfWork(create_sessionmaker(engine), publish, asyncio.Lock()), published, engine


def _insert(name: str, calls: list[tuple[str, bool]], fail: bool = False) -> Any:
    async def job(session: AsyncSession, shared: bool) -> str:
        calls.append((name, shared))
        await session.execute(
            text(
                "INSERT INTO users (username, username_key, email, email_key, password_hash,"
                " display_name, display_name_key, created_at) VALUES"
                " (:n, :n, :e, :e, 'x', :n, :n, '2026-12-06 00:00:00')"
            ),
            {"n": name, "e": f"{name}@example.com"},
        )
        record(session, Event("typing", "{}", frozenset({1}), None, None))
        if fail:
            raise NotFound("refused after writing")
        return name

    return job


async def _names(engine: Any) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(text("SELECT username FROM users"))).scalars())


async def test_concurrent_writes_share_one_commit(tmp_path: Path) -> None:
    units, published, engine = await _units(tmp_path)
    calls: list[tuple[str, bool]] = []
    try:
        names = [f"user{i}" for i in range(12)]

        async def write_and_check(name: str) -> None:
            assert await units.write(_insert(name, calls)) == name
            # Answered only once durable: another connection already sees the row.
            assert name in await _names(engine)

        await asyncio.gather(*(write_and_check(name) for name in names))
        assert await _names(engine) == set(names)
        assert units.largest_batch > 1
        assert any(shared for _, shared in calls)
        assert len(published) == len(names)  # every event, once, after its commit
    finally:
        await engine.dispose()


async def test_one_failing_write_fails_alone(tmp_path: Path) -> None:
    units, published, engine = await _units(tmp_path)
    calls: list[tuple[str, bool]] = []
    try:
        jobs = [_insert(f"user{i}", calls, fail=(i == 3)) for i in range(8)]
        results = await asyncio.gather(*(units.write(job) for job in jobs), return_exceptions=True)
        assert isinstance(results[3], NotFound)
        assert [r for i, r in enumerate(results) if i != 3] == [
            f"user{i}" for i in range(8) if i != 3
        ]
        assert await _names(engine) == {f"user{i}" for i in range(8) if i != 3}
        # The batch was tried together, then each alone; the failed one left no event.
        assert ("user3", True) in calls and ("user3", False) in calls
        assert len(published) == 7
    finally:
        await engine.dispose()


async def test_sqlite_commits_survive_power_loss(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'sync.db'}")
    try:
        async with engine.connect() as conn:
            # 2 = FULL: in WAL mode the log is synced at every commit, not only at checkpoints.
            assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()


async def test_concurrent_repeats_of_one_client_id_store_one_message(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Repeats", bob)
    path = f"/chats/{chat['id']}/messages"
    answers = await asyncio.gather(
        *(alice.post(path, json={"content": "once", "client_id": "same"}) for _ in range(6)),
        *(bob.post(path, json={"content": f"other {i}"}) for i in range(6)),
    )
    mine = answers[:6]
    assert sorted(r.status_code for r in mine) == [200] * 5 + [201], [r.text for r in mine]
    assert len({r.json()["id"] for r in mine}) == 1
    assert all(r.status_code == 201 for r in answers[6:])
    history = (await alice.get(path, params={"limit": 50})).json()
    assert [m["content"] for m in history].count("once") == 1
    assert len(history) == 7


async def test_a_batch_leaves_the_chat_and_markers_at_its_newest(api: Api) -> None:
    """The chat's newest message and each sender's read marker are written once per batch."""
    alice, bob, carol = await api.user(), await api.user(), await api.user()
    chat = await alice.group("Folded", bob, carol)
    path = f"/chats/{chat['id']}/messages"
    await asyncio.gather(
        *(
            sender.post(path, json={"content": f"{sender.username} {i}"})
            for i in range(8)
            for sender in (alice, bob)
        )
    )
    history = (await carol.get(path, params={"limit": 50})).json()
    assert len(history) == 16
    for me, other in ((alice, bob), (bob, alice)):
        (listed,) = (await me.get("/chats")).json()
        assert listed["last_message"]["id"] == history[-1]["id"]
        my_last = max(m["id"] for m in history if m["sender_id"] == me.id)
        unread = [m for m in history if m["sender_id"] == other.id and m["id"] > my_last]
        assert listed["unread_count"] == len(unread)
    (for_carol,) = (await carol.get("/chats")).json()
    assert for_carol["unread_count"] == 16


async def test_a_lane_writes_in_order_and_batches_on_every_backend(database_url: str) -> None:
    """A socket's sends queue in a lane of their own: written in the order submitted, the
    waiting ones in one transaction, a failing one alone. SQLite has one lane for all (one
    writer); MariaDB gives each socket its own, so two sockets write side by side."""
    await empty_tables(database_url)
    engine = create_engine(database_url)
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    sqlite = database_url.startswith("sqlite")
    units = UnitsOfWork(create_sessionmaker(engine), publish, asyncio.Lock() if sqlite else None)
    calls: list[tuple[str, bool]] = []
    try:
        first, second = units.lane(), units.lane()
        assert (first is second) == sqlite
        pending = [
            (lane.submit(_insert(f"{tag}{i}", calls, fail=(tag, i) == ("a", 5))), f"{tag}{i}")
            for i in range(10)
            for tag, lane in (("a", first), ("b", second))
        ]
        results = await asyncio.gather(*(p for p, _ in pending), return_exceptions=True)
        failed = [name for (_, name), r in zip(pending, results, strict=True) if r != name]
        assert failed == ["a5"] and isinstance(results[10], NotFound)
        assert units.largest_batch > 1
        assert ("a5", True) in calls and ("a5", False) in calls  # tried in a batch, then alone
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT username FROM users ORDER BY id"))).all()
        for tag in ("a", "b"):
            stored = [name for (name,) in rows if name.startswith(tag)]
            assert stored == [f"{tag}{i}" for i in range(10) if (tag, i) != ("a", 5)]
        assert len(published) == 19
    finally:
        await engine.dispose()
