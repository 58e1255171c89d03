"""Migration 0009 keeps everything that points at users (SQLite copies the users table to
make e-mail optional), makes the oldest account admin, and undoes cleanly or in words."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from parley.db import migrate
from tests.support import BACKENDS_FOR_TESTS, mariadb_database
from tests.test_migrations import _columns, _rows

WHEN = "2026-01-01 00:00:00.000000"
LATER = "2027-01-01 00:00:00.000000"

# One row in every table that points at users (directly or through a chat or message).
ROWS = (
    "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
    " display_name, display_name_key, created_at) VALUES"
    " (4, 'ann', 'ann', 'ann@example.com', 'ann@example.com', 'x', 'Ann', 'ann', :when),"
    " (7, 'bob', 'bob', 'bob@example.com', 'bob@example.com', 'x', 'Bob', 'bob', :when)",
    "INSERT INTO chats (id, is_group, created_at, last_activity_at) VALUES (5, 0, :when, :when)",
    "INSERT INTO chat_users (chat_id, user_id, role, joined_at, last_read_message_id)"
    " VALUES (5, 4, 'member', :when, 0), (5, 7, 'member', :when, 0)",
    "INSERT INTO attachments (id, uploader_id, name, size, content_type, storage_key,"
    " created_at) VALUES (3, 4, 'a.txt', 1, 'text/plain', 'k', :when)",
    "INSERT INTO messages (id, chat_id, sender_id, content, is_read, created_at, attachment_id)"
    " VALUES (1, 5, 4, 'hello', 0, :when, 3), (2, 5, 7, 'hi', 0, :when, NULL)",
    "INSERT INTO message_reactions (message_id, user_id, emoji, created_at)"
    " VALUES (1, 7, 'x', :when)",
    "INSERT INTO message_mentions (message_id, user_id) VALUES (1, 7)",
    "INSERT INTO auth_sessions (id, user_id, created_at, expires_at) VALUES (9, 4, :when, :later)",
    "INSERT INTO refresh_tokens (session_id, token_hash, created_at) VALUES (9, 'h', :when)",
    "INSERT INTO push_subscriptions (user_id, session_id, endpoint, endpoint_key, p256dh, auth,"
    " created_at) VALUES (4, 9, 'https://push.example/1', 'e1', 'p', 'a', :when)",
)
COUNTED = (
    "users",
    "chats",
    "chat_users",
    "attachments",
    "messages",
    "message_reactions",
    "message_mentions",
    "auth_sessions",
    "refresh_tokens",
    "push_subscriptions",
)


async def _counts(url: str) -> dict[str, int]:
    return {t: (await _rows(url, f"SELECT COUNT(*) FROM {t}"))[0][0] for t in COUNTED}


@pytest.fixture(params=BACKENDS_FOR_TESTS)
async def url_at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async def prepared(url: str) -> str:
        await asyncio.to_thread(migrate.upgrade, url, "0008")
        for statement in ROWS:
            await _rows(url, statement, when=WHEN, later=LATER)
        return url

    if request.param == "sqlite":
        yield await prepared(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    else:
        async with mariadb_database() as url:
            yield await prepared(url)


async def test_everything_survives_up_and_down(url_at_0008: str) -> None:
    url = url_at_0008
    before = await _counts(url)
    assert all(before.values()), before
    await asyncio.to_thread(migrate.upgrade, url, "0009")
    assert await _counts(url) == before
    # The oldest account is the admin; everyone stays active; old sessions have no device.
    users = await _rows(url, "SELECT id, is_admin, is_active FROM users ORDER BY id")
    assert [(r[0], bool(r[1]), bool(r[2])) for r in users] == [(4, True, True), (7, False, True)]
    assert await _rows(url, "SELECT device, address FROM auth_sessions") == [(None, None)]
    assert await _rows(url, "SELECT email_required FROM server_settings WHERE id = 1") in (
        [(1,)],
        [(True,)],
    )
    # E-mail is optional now, and still unique when given.
    await _rows(
        url,
        "INSERT INTO users (id, username, username_key, password_hash, display_name,"
        " display_name_key, created_at) VALUES (8, 'cy', 'cy', 'x', 'Cy', 'cy', :when),"
        " (9, 'di', 'di', 'x', 'Di', 'di', :when)",
        when=WHEN,
    )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await _rows(
            url,
            "INSERT INTO users (id, username, username_key, email, email_key, password_hash,"
            " display_name, display_name_key, created_at) VALUES (10, 'eve', 'eve',"
            " 'ann@example.com', 'ann@example.com', 'x', 'Eve', 'eve', :when)",
            when=WHEN,
        )
    # Accounts without e-mail cannot go back to a schema that requires one: said in words.
    with pytest.raises(RuntimeError, match="no e-mail address"):
        await asyncio.to_thread(migrate.downgrade, url, "0008")
    await _rows(url, "DELETE FROM users WHERE id IN (8, 9)")
    await asyncio.to_thread(migrate.downgrade, url, "0008")
    assert await _counts(url) == before
    assert not {"is_admin", "is_active"} & await _columns(url, "users")
    assert not {"device", "address", "last_active_at"} & await _columns(url, "auth_sessions")
    await asyncio.to_thread(migrate.upgrade, url, "head")
    assert await _counts(url) == before
