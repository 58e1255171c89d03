"""The search index of messages: their text folded for matching, kept in step with writes.

One table, `message_search`, holds each live message's folded text under its id: on
SQLite an FTS5 table (the id is its rowid), on MySQL/MariaDB a table with a FULLTEXT
index. Sends add rows in the transaction that stores the message (one statement per
batch), edits replace them, deletes remove them; `parley reindex` rebuilds it.

Folding makes matching case-, accent- and width-insensitive in every script: NFKC
(full-width letters become plain ones), case folding, and accents dropped. Characters of
scripts written without spaces (Chinese, Japanese, Korean) become a word each, so a
word of them is found as a phrase of characters wherever it stands in a sentence.
"""

import re
import unicodedata
from typing import Any

from sqlalchemy import bindparam, column, delete, insert, table, text
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from parley.core.unit_of_work import defer

INDEX = "message_search"
# Unified ideographs, kana, hangul and their extensions: written without spaces.
UNSPACED = re.compile(
    "([\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f])"
)
_ROWS = "parley.search_rows"


def is_index_table(name: str | None) -> bool:
    """The index and, on SQLite, FTS5's own tables for it: kept by migrations, not models."""
    return name is not None and (name == INDEX or name.startswith(INDEX + "_"))


def fold(value: str) -> str:
    """``value`` as the index holds it (and as a query is matched against it)."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = "".join(
        c for c in unicodedata.normalize("NFKD", value) if unicodedata.category(c) != "Mn"
    )
    return " ".join(UNSPACED.sub(r" \1 ", value).split())


LINK_MARKS = ("http://", "https://")  # a message with one of these, in any case, has a link


def has_link(content: str) -> bool:
    """Whether ``content`` holds a web address (what `has:link` looks for)."""
    lowered = content.casefold()
    return any(mark in lowered for mark in LINK_MARKS)


def _statements(dialect: str) -> tuple[Any, Any]:
    """Insert and delete of index rows: the id is FTS5's rowid, or a column of its own.

    On MySQL/MariaDB a row also says whether its message has a link: `has:link` then walks
    those alone (an index on it) instead of the FULLTEXT index's every match of a word.
    """
    if dialect == "sqlite":
        rows = table(INDEX, column("rowid"), column("body"))
        add = insert(rows).values({"rowid": bindparam("b_id"), "body": bindparam("b_body")})
        return add, delete(rows).where(rows.c.rowid == bindparam("b_id"))
    rows = table(INDEX, column("message_id"), column("body"), column("has_link"))
    add = insert(rows).values(
        {
            "message_id": bindparam("b_id"),
            "body": bindparam("b_body"),
            "has_link": bindparam("b_link"),
        }
    )
    return add, delete(rows).where(rows.c.message_id == bindparam("b_id"))


def row(message_id: int, content: str) -> dict[str, Any]:
    """An index row's values (``b_link`` is unused on SQLite)."""
    return {"b_id": message_id, "b_body": fold(content), "b_link": has_link(content)}


_STATEMENTS = {dialect: _statements(dialect) for dialect in ("sqlite", "mysql")}


def _insert(session: AsyncSession) -> Any:
    return _STATEMENTS[_dialect(session)][0]


def _dialect(session: AsyncSession) -> str:
    return "sqlite" if session.get_bind().dialect.name == "sqlite" else "mysql"


def add(session: AsyncSession, message_id: int, content: str) -> None:
    """Index a new message when its transaction commits: one statement for a whole batch."""
    if not content:
        return
    rows: list[dict[str, Any]] = session.info.setdefault(_ROWS, [])
    rows.append(row(message_id, content))
    defer(session, _ROWS, _write_rows)


async def _write_rows(session: AsyncSession) -> None:
    rows = session.info.pop(_ROWS, [])
    if rows:
        await session.execute(_insert(session), rows)


async def replace(session: AsyncSession, message_id: int, content: str) -> None:
    """An edited message is found by its new text, not its old."""
    await remove(session, message_id)
    if content:
        await session.execute(_insert(session), row(message_id, content))


async def remove(session: AsyncSession, message_id: int) -> None:
    """A deleted message is found no more."""
    await session.execute(_STATEMENTS[_dialect(session)][1], {"b_id": message_id})


async def rebuild(session: AsyncSession, progress: Any = None, page: int = 2000) -> int:
    """Index every live message again, from scratch; how many were indexed.

    ``progress(done, total)`` is called after every page, for a progress bar.
    """
    await session.execute(text(f"DELETE FROM {INDEX}"))
    total = int(
        await session.scalar(
            text("SELECT COUNT(*) FROM messages WHERE deleted_at IS NULL AND content <> ''")
        )
        or 0
    )
    done, after = 0, 0
    select_page = text(
        "SELECT id, content FROM messages WHERE id > :after AND deleted_at IS NULL"
        " AND content <> '' ORDER BY id LIMIT :page"
    )
    while True:
        batch = (await session.execute(select_page, {"after": after, "page": page})).all()
        if not batch:
            break
        rows = [row(mid, content) for mid, content in batch]
        await session.execute(_insert(session), rows)
        done += len(batch)
        after = batch[-1][0]
        if progress is not None:
            progress(done, total)
    return done


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, _previous: Any) -> None:
    # They belonged to messages that were never stored.
    session.info.pop(_ROWS, None)
