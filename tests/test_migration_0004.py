"""Migration 0004 keeps existing messages: no reply, not reacted; and undoes cleanly."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from parley.db import migrate
from tests.support import BACKENDS_FOR_TESTS, mariadb_database
from tests.test_migrations import _columns, _rows, _tables

WHEN = "2026-01-01 00:00:00.000000"


@pytest.fixture(params=BACKENDS_FOR_TESTS)
async def url_at_0003(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async def prepared(url: str) -> str:
        await asyncio.to_thread(migrate.upgrade, url, "0003")
        await _rows(
            url,
            "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
            " display_name, display_name_key, created_at) VALUES"
            " (4, 'ann', 'ann', 'ann@example.com', 'ann@example.com', 'x', 'Ann', 'ann', :when)",
            when=WHEN,
        )
        await _rows(
            url,
            "INSERT INTO chats (id, is_group, created_at, last_activity_at)"
            " VALUES (5, 0, :when, :when)",
            when=WHEN,
        )
        await _rows(
            url,
            "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at)"
            " VALUES (1, 5, 4, 'old', 0, :when)",
            when=WHEN,
        )
        return url

    if request.param == "sqlite":
        yield await prepared(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    else:
        async with mariadb_database() as url:
            yield await prepared(url)


async def test_existing_messages_survive_up_and_down(url_at_0003: str) -> None:
    url = url_at_0003
    await asyncio.to_thread(migrate.upgrade, url, "0004")
    rows = await _rows(url, "SELECT id, content, reply_to_id, reacted FROM messages")
    assert [(r[0], r[1], r[2], bool(r[3])) for r in rows] == [(1, "old", None, False)]
    # The new tables work: a reply, a reaction and a mention of the old message.
    await _rows(
        url,
        "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at,"
        " reply_to_id) VALUES (2, 5, 4, 're', 0, :when, 1)",
        when=WHEN,
    )
    await _rows(
        url,
        "INSERT INTO message_reactions (message_id, user_id, emoji, created_at)"
        " VALUES (1, 4, :emoji, :when)",
        emoji="👍🏽",
        when=WHEN,
    )
    await _rows(url, "INSERT INTO message_mentions (message_id, user_id) VALUES (2, 4)")
    assert await _rows(url, "SELECT emoji FROM message_reactions") == [("👍🏽",)]
    await asyncio.to_thread(migrate.downgrade, url, "0003")
    assert not {"message_reactions", "message_mentions"} & await _tables(url)
    assert not {"reply_to_id", "reacted"} & await _columns(url, "messages")
    assert len(await _rows(url, "SELECT id FROM messages")) == 2
    await asyncio.to_thread(migrate.upgrade, url, "head")
