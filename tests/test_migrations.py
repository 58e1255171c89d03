"""The migrations build the schema the models describe, and can be undone and redone."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from parley.db import migrate
from parley.db.database import create_engine
from parley.db.models import Base
from tests.support import BACKENDS_FOR_TESTS, mariadb_database


@pytest.fixture(params=BACKENDS_FOR_TESTS)
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    else:
        async with mariadb_database() as url:
            yield url


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def _diff(url: str) -> list[object]:
    def compare(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    expected = set(Base.metadata.tables)
    await asyncio.to_thread(migrate.upgrade, fresh_url)
    assert await _tables(fresh_url) == expected
    await asyncio.to_thread(migrate.downgrade, fresh_url, "base")
    assert await _tables(fresh_url) == set()
    await asyncio.to_thread(migrate.upgrade, fresh_url)
    assert await _tables(fresh_url) == expected


async def test_models_and_migrations_agree(fresh_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, fresh_url)
    assert await _diff(fresh_url) == []


async def test_mysql_tables_are_utf8mb4() -> None:
    async with mariadb_database() as url:
        await asyncio.to_thread(migrate.upgrade, url)
        collations = await _collations(url)
    assert set(collations) == set(Base.metadata.tables)
    # Exact comparisons; case-insensitivity comes from the normalised *_key columns.
    assert set(collations.values()) == {"utf8mb4_bin"}


async def _collations(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT table_name, table_collation FROM information_schema.tables "
                    "WHERE table_schema = DATABASE() AND table_name <> 'alembic_version'"
                )
            )
            return {row[0]: row[1] for row in rows}
    finally:
        await engine.dispose()
