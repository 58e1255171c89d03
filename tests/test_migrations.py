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
from parley.messages.search_index import INDEX, is_index_table
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
    # FTS5 keeps the index's data in tables of its own (message_search_data, ...).
    return {n for n in names if n == INDEX or not is_index_table(n)} - {"alembic_version"}


async def _diff(url: str) -> list[object]:
    def compare(conn: Connection) -> list[object]:
        opts = {"compare_type": True, "include_name": _modelled}
        context = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


def _modelled(name: str | None, kind: str, _parents: object) -> bool:
    return not (kind == "table" and is_index_table(name))


async def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    expected = set(Base.metadata.tables) | {INDEX}
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
    assert set(collations) == set(Base.metadata.tables) | {INDEX}
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


async def _rows(url: str, sql: str, /, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            columns = await conn.run_sync(lambda c: inspect(c).get_columns(table))
    finally:
        await engine.dispose()
    return {column["name"] for column in columns}


async def test_0003_derives_attachment_url_from_attachment_id(fresh_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, fresh_url, "0002")
    when = "2026-01-01 00:00:00.000000"
    await _rows(
        fresh_url,
        "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
        " display_name, display_name_key, created_at)"
        " VALUES (4, 'ann', 'ann', 'ann@example.com', 'ann@example.com', 'x', 'Ann', 'ann', :when)",
        when=when,
    )
    await _rows(
        fresh_url,
        "INSERT INTO chats (id, is_group, created_at, last_activity_at)"
        " VALUES (5, 0, :when, :when)",
        when=when,
    )
    # An id of its own, unlike any message's, so a mix-up cannot pass unseen.
    await _rows(
        fresh_url,
        "INSERT INTO attachments (id, uploader_id, name, size, content_type, storage_key,"
        " created_at) VALUES (7, 4, 'cat.png', 3, 'image/png', 'ab/cat', :when)",
        when=when,
    )
    messages = [
        # (id, content, attachment_url, attachment_id)
        (1, "upload, path only", "/attachments/7", None),
        (2, "upload, both", "/attachments/7", 7),
        (3, "look", "https://example.com/cat.png", None),
        (4, "", "/attachments/999", None),  # an upload path whose file is gone
        (5, "plain", None, None),
    ]
    for message_id, content, url, attachment_id in messages:
        await _rows(
            fresh_url,
            "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at,"
            " attachment_url, attachment_id)"
            " VALUES (:id, 5, 4, :content, 0, :when, :url, :attachment_id)",
            id=message_id,
            content=content,
            url=url,
            attachment_id=attachment_id,
            when=when,
        )

    upgraded = {
        1: ("upload, path only", 7),
        2: ("upload, both", 7),
        3: ("look\nhttps://example.com/cat.png", None),
        4: ("/attachments/999", None),
        5: ("plain", None),
    }

    async def after_upgrade() -> None:
        assert "attachment_url" not in await _columns(fresh_url, "messages")
        rows = await _rows(fresh_url, "SELECT id, content, attachment_id FROM messages")
        assert {row[0]: (row[1], row[2]) for row in rows} == upgraded

    await asyncio.to_thread(migrate.upgrade, fresh_url, "head")
    await after_upgrade()

    await asyncio.to_thread(migrate.downgrade, fresh_url, "0002")
    assert "attachment_url" in await _columns(fresh_url, "messages")
    rows = await _rows(fresh_url, "SELECT id, content, attachment_url, attachment_id FROM messages")
    assert {row[0]: row[1:] for row in rows} == {
        1: ("upload, path only", "/attachments/7", 7),
        2: ("upload, both", "/attachments/7", 7),
        3: ("look\nhttps://example.com/cat.png", None, None),
        4: ("/attachments/999", None, None),
        5: ("plain", None, None),
    }

    # Upgrading again changes nothing more: the old link is not appended a second time.
    await asyncio.to_thread(migrate.upgrade, fresh_url, "head")
    await after_upgrade()
    assert await _diff(fresh_url) == []


async def test_0007_indexes_the_messages_already_there(fresh_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, fresh_url, "0006")
    when = "2026-01-01 00:00:00.000000"
    await _rows(
        fresh_url,
        "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
        " display_name, display_name_key, created_at)"
        " VALUES (4, 'ann', 'ann', 'ann@example.com', 'ann@example.com', 'x', 'Ann', 'ann', :when)",
        when=when,
    )
    await _rows(
        fresh_url,
        "INSERT INTO chats (id, is_group, created_at, last_activity_at)"
        " VALUES (5, 0, :when, :when)",
        when=when,
    )
    for message_id, content, deleted in (
        (1, "Crème brûlée tonight", None),
        (2, "", None),  # an attachment alone: nothing to find
        (3, "gone", when),
    ):
        await _rows(
            fresh_url,
            "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at,"
            " deleted_at) VALUES (:id, 5, 4, :content, 0, :when, :deleted)",
            id=message_id,
            content=content,
            when=when,
            deleted=deleted,
        )
    await asyncio.to_thread(migrate.upgrade, fresh_url)
    key = "rowid" if fresh_url.startswith("sqlite") else "message_id"
    rows = await _rows(fresh_url, f"SELECT {key}, body FROM {INDEX} ORDER BY {key}")
    assert rows == [(1, "creme brulee tonight")]
