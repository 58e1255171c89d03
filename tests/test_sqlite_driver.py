"""On SQLite a statement is one call on aiosqlite's thread, and a read ends without one.

Every call there is a thread and event-loop wake-up (parley.db.sqlite_driver); these
tests count them, and check that nothing a caller sees has changed: rows, row counts,
inserted ids, errors, commits and rollbacks.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from parley.db.database import create_engine, create_sessionmaker


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'calls.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function run on aiosqlite's thread from now on."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_read_is_one_call_with_no_commit_or_rollback(
    engine: AsyncEngine, calls: list[str]
) -> None:
    async with create_sessionmaker(engine)() as session:
        rows = (await session.execute(text("SELECT 1, 'two' UNION ALL SELECT 3, 'four'"))).all()
        await session.commit()
    assert [tuple(row) for row in rows] == [(1, "two"), (3, "four")]
    assert calls == ["_run"]  # pysqlite opened no transaction: nothing to end


async def test_writes_are_one_call_each_and_one_commit(
    engine: AsyncEngine, calls: list[str]
) -> None:
    async with create_sessionmaker(engine)() as session:
        first = await session.execute(text("INSERT INTO t (x) VALUES (1)"))
        await session.execute(text("INSERT INTO t (x) VALUES (:x)"), [{"x": 2}, {"x": 3}])
        updated = await session.execute(text("UPDATE t SET x = x + 10 WHERE x > 1"))
        await session.commit()
    assert first.lastrowid == 1
    assert updated.rowcount == 2
    assert calls == ["_run", "_run", "_run", "commit"]
    async with engine.connect() as conn:  # durable: another connection sees it
        assert list((await conn.execute(text("SELECT x FROM t ORDER BY x"))).scalars()) == [
            1,
            12,
            13,
        ]


async def test_a_failed_write_raises_and_its_transaction_is_rolled_back(
    engine: AsyncEngine, calls: list[str]
) -> None:
    async with create_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t (x) VALUES (7)"))
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t (x) VALUES (7)"))
        await session.rollback()
    assert calls == ["_run", "_run", "rollback"]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
