"""Migration 0011 marks, on MariaDB, which indexed messages already had a link, so that
`has:link` finds them as it did before (and finds them by the new flag's index)."""

import asyncio

import pytest

from parley.db import migrate
from tests.support import BACKENDS_FOR_TESTS, mariadb_database
from tests.test_migrations import _columns, _rows

WHEN = "2026-01-01 00:00:00.000000"
ROWS = (
    "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
    " display_name, display_name_key, created_at) VALUES"
    " (4, 'ann', 'ann', 'ann@example.com', 'ann@example.com', 'x', 'Ann', 'ann', :when)",
    "INSERT INTO chats (id, is_group, created_at, last_activity_at) VALUES (5, 0, :when, :when)",
    "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at) VALUES"
    " (1, 5, 4, 'see https://example.org', 0, :when),"
    " (2, 5, 4, 'no address here', 0, :when),"
    " (3, 5, 4, 'SEE HTTP://EXAMPLE.ORG', 0, :when)",
)


@pytest.mark.skipif("mariadb" not in BACKENDS_FOR_TESTS, reason="MariaDB is not tested here")
async def test_links_already_indexed_are_marked_and_the_flag_goes_on_the_way_down() -> None:
    async with mariadb_database() as url:
        await asyncio.to_thread(migrate.upgrade, url, "0010")
        for statement in ROWS:
            await _rows(url, statement, when=WHEN)
        # 0007 indexed what was there; these came after it, so index them as a send would.
        await _rows(
            url,
            "INSERT INTO message_search (message_id, body) SELECT id, LOWER(content) FROM messages",
        )
        await asyncio.to_thread(migrate.upgrade, url, "0011")
        marked = await _rows(url, "SELECT message_id, has_link FROM message_search ORDER BY 1")
        assert [(m, bool(flag)) for m, flag in marked] == [(1, True), (2, False), (3, True)]
        await asyncio.to_thread(migrate.downgrade, url, "0010")
        assert "has_link" not in await _columns(url, "message_search")
        await asyncio.to_thread(migrate.upgrade, url, "head")
        assert len(await _rows(url, "SELECT 1 FROM message_search WHERE has_link")) == 2
