"""On MariaDB a connection that comes back right after a commit is not rolled back again
(one round trip saved per unit of work); after anything else it is (parley.db.mysql_driver).
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from parley.db.database import create_engine, create_sessionmaker
from parley.db.mysql_driver import SettledConnection
from tests.support import BACKENDS_FOR_TESTS, mariadb_database

pytestmark = pytest.mark.skipif(
    "mariadb" not in BACKENDS_FOR_TESTS, reason="MariaDB is not tested here"
)


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    async with mariadb_database() as url:
        engine = create_engine(url, timeout=10)
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"))
        yield engine
        await engine.dispose()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per rollback asked of a connection: whether it reached the server."""
    made: list[bool] = []
    original = SettledConnection.rollback

    def counted(self: SettledConnection) -> None:
        made.append(not self._settled)
        original(self)

    monkeypatch.setattr(SettledConnection, "rollback", counted)
    return made


async def _ids(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text("SELECT id FROM t ORDER BY id"))).scalars())


async def test_a_committed_unit_is_not_rolled_back_again(
    engine: AsyncEngine, rollbacks: list[bool]
) -> None:
    async with create_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t VALUES (1)"))
        await session.commit()
    assert rollbacks == [False]  # the pool's reset on return: skipped
    assert await _ids(engine) == [1]


async def test_a_unit_that_failed_is_rolled_back_and_holds_no_lock(
    engine: AsyncEngine, rollbacks: list[bool]
) -> None:
    async with create_sessionmaker(engine)() as session:
        await session.execute(text("INSERT INTO t VALUES (1)"))
        await session.commit()
        await session.execute(text("INSERT INTO t VALUES (2)"))
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t VALUES (1)"))
    # Closed without a commit: the reset on return reached the server.
    assert True in rollbacks
    assert await _ids(engine) == [1]
    async with engine.begin() as conn:  # row 2's lock went with the rollback
        await conn.execute(text("SET SESSION innodb_lock_wait_timeout = 2"))
        await conn.execute(text("INSERT INTO t VALUES (2)"))
    assert await _ids(engine) == [1, 2]
