"""Finding messages: only in chats I am a member of, never deleted ones, newest first.

The index (`parley.messages.search_index`) narrows the messages; membership, the filters
and the keyset cursor are plain conditions on the messages found. SQLite asks its FTS5
table; MySQL/MariaDB its FULLTEXT index in boolean mode, where words shorter than its
smallest indexed word (3 characters) and runs of CJK characters are matched with LIKE
on the folded text instead.

Some searches are cheaper without the index, and are matched here instead, on the same
folded text with the patterns the highlights use: those narrowed to one chat or sender
(`_match_narrow`) and, on MySQL/MariaDB, those with `has:link` (`_match_links`) and
those my newest messages answer (`_match_newest`).
bench/search_bench.py measures each way; bench/README.md says why.
"""

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.mysql import match
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.core.errors import InvalidInput
from parley.db.models import Attachment, ChatUser, Message, User
from parley.messages.search_index import INDEX, LINK_MARKS, UNSPACED
from parley.messages.search_index import fold as fold_text
from parley.messages.views import message_views
from parley.search.query import Query, Term, parse
from parley.search.schemas import SearchPage, SearchResult

# A filter (one chat, one sender) that leaves at most this many of my messages is matched
# here rather than by the index; a few ms of Python at most (see _match_narrow).
NARROW = 5_000
_READ = 200  # messages read per statement while matching them here
# MySQL/MariaDB: my newest messages matched here before the FULLTEXT index is asked.
SCAN = 1_000
MYSQL_MIN_WORD = 3  # innodb_ft_min_token_size: shorter words are not in a FULLTEXT index
_LINK = tuple(f"%{mark}%" for mark in LINK_MARKS)


async def search(
    session: AsyncSession,
    links: Links,
    me_id: int,
    q: str,
    *,
    chat_id: int | None,
    limit: int,
    cursor: str | None,
) -> SearchPage:
    query = parse(q)
    before_id = _cursor(cursor)
    ids = await _match_narrow(session, query, me_id, chat_id, before_id, limit)
    if ids is None and session.get_bind().dialect.name != "sqlite":
        ids = await _match_links(session, query, me_id, chat_id, before_id, limit)
        if ids is None:
            ids = await _match_newest(session, query, me_id, chat_id, before_id, limit)
    if ids is not None:
        statement = select(Message).where(Message.id.in_(ids)).order_by(Message.id.desc())
    else:
        statement = _index_search(session, query, me_id, chat_id, before_id, limit)
    found = list((await session.scalars(statement)).all())
    more = len(found) > limit
    found = found[:limit]
    views = await message_views(session, links, found, me_id)
    results = [
        SearchResult(message=view, chat_id=view.chat_id, highlights=highlights(view.content, query))
        for view in views
    ]
    return SearchPage(results=results, next_cursor=str(found[-1].id) if more else None)


def _index_search(
    session: AsyncSession,
    query: Query,
    me_id: int,
    chat_id: int | None,
    before_id: int | None,
    limit: int,
) -> Select[Any]:
    sqlite = session.get_bind().dialect.name == "sqlite"
    index, key = _index(sqlite)
    # Newest first by the index's own key: FTS5 then hands its matches over in rowid
    # order, newest first, and the search stops at the page's end instead of sorting
    # every match (a common word is in most messages). The cursor bounds that key too,
    # so the next page starts where this one ended rather than at the newest match.
    statement = (
        select(Message)
        .select_from(index)
        .join(Message, Message.id == key)
        .where(*_matching(query.terms, index, sqlite))
        .order_by(key.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        statement = statement.where(key < before_id)
    return _mine(statement, query, me_id, chat_id)


def _mine(
    statement: Select[Any], query: Query, me_id: int, chat_id: int | None, *, each: bool = False
) -> Select[Any]:
    """``statement`` (over messages) kept to my chats' live messages that pass the filters.

    ``each``: my membership is checked message by message (EXISTS), so the sender's or
    the chat's messages drive the query; as a join, SQLite would rather walk all my
    chats and, in each, every message of the sender's (from:someone busy elsewhere).
    """
    mine = and_(ChatUser.chat_id == Message.chat_id, ChatUser.user_id == me_id)
    statement = statement.where(exists().where(mine)) if each else statement.join(ChatUser, mine)
    statement = statement.where(Message.deleted_at.is_(None), *_filters(query, chat_id))
    if query.sender is not None:
        statement = statement.join(User, User.id == Message.sender_id).where(
            User.username_key == query.sender
        )
    if "image" in query.has:
        statement = statement.join(Attachment, Attachment.id == Message.attachment_id).where(
            Attachment.content_type.like("image/%")
        )
    return statement


async def _match_narrow(
    session: AsyncSession,
    query: Query,
    me_id: int,
    chat_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[int] | None:
    """The page's ids, newest first, when a filter leaves few messages; else None.

    With one chat or one sender, the index would walk every match of a common word
    until it met enough of theirs (hundreds of thousands of rows); reading their few
    messages and matching them here, as the index would (`_pattern`, on folded text),
    costs a bounded amount instead. Past NARROW messages the index is the faster way.
    """
    if chat_id is None and query.chat_id is None and query.sender is None:
        return None
    candidates = _mine(select(Message.id), query, me_id, chat_id, each=True)
    if before_id is not None:
        candidates = candidates.where(Message.id < before_id)
    ids = list((await session.scalars(candidates.limit(NARROW + 1))).all())
    if len(ids) > NARROW:
        return None
    ids.sort(reverse=True)
    return (await _match_here(session, query, ids, limit))[0]


async def _match_links(
    session: AsyncSession,
    query: Query,
    me_id: int,
    chat_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[int] | None:
    """MySQL/MariaDB, `has:link`: my messages with a link, newest first, matched here.

    Few messages have a link (2 % in the bench), but a FULLTEXT search gathers a common
    word's every match before the link filter can apply: seconds at a million messages.
    The index's rows say which messages have a link (an index on it), so those are walked
    instead, a batch at a time, until the page is full. Past NARROW of them the FULLTEXT
    index is asked after all (a rare word among very many links).
    """
    if "link" not in query.has:
        return None
    index, key = _index(sqlite=False)
    walk = (
        _mine(
            select(key)
            .select_from(index)
            .join(Message, Message.id == key)
            .where(index.c.has_link == 1),
            query,
            me_id,
            chat_id,
            each=True,
        )
        .order_by(key.desc())
        .limit(_READ)
        .prefix_with("STRAIGHT_JOIN", dialect="mysql")
    )
    found: list[int] = []
    walked, after = 0, before_id
    while walked < NARROW:
        page = walk if after is None else walk.where(key < after)
        ids = list((await session.scalars(page)).all())
        if not ids:
            return found  # every message of mine with a link was matched
        matched, full = await _match_here(session, query, ids, limit - len(found))
        found += matched
        if full:
            return found
        walked += len(ids)
        after = ids[-1]
    return None


async def _match_newest(
    session: AsyncSession,
    query: Query,
    me_id: int,
    chat_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[int] | None:
    """The page's ids when my newest SCAN messages fill it; else None (ask the index).

    MySQL/MariaDB: a FULLTEXT search gathers every match before it can sort them, which
    for a common word is most messages (seconds at a million). A common word is found
    among my newest messages at once; a rarer one is left to the index, at a bounded cost.
    """
    # My newest SCAN messages, whatever the filters: walked newest first, checking each
    # one's chat is mine (MariaDB would rather gather every message of all my chats and
    # sort them: seconds at a million). The filters then apply within that window, so a
    # rare filter (has:link) cannot make this walk far back.
    window = (
        select(Message.id)
        .join(ChatUser, and_(ChatUser.chat_id == Message.chat_id, ChatUser.user_id == me_id))
        .order_by(Message.id.desc())
        .limit(SCAN)
        .prefix_with("STRAIGHT_JOIN", dialect="mysql")
    )
    candidates = _mine(select(Message.id), query, me_id, chat_id)
    if before_id is not None:
        window = window.where(Message.id < before_id)
        candidates = candidates.where(Message.id < before_id)
    newest = list((await session.scalars(window)).all())
    if not newest:
        # No messages of mine (before the cursor): nothing to find. SCAN 0: the index.
        return [] if SCAN else None
    if query.sender is None and not _filters(query, chat_id):  # has: adds filters too
        # Nothing to narrow: the window is the candidates. A deleted message has no text
        # in the index, so it matches nothing (one walk of the messages, not two).
        ids = newest
    else:
        candidates = candidates.where(Message.id >= newest[-1])
        ids = sorted((await session.scalars(candidates)).all(), reverse=True)
    found, complete = await _match_here(session, query, ids, limit)
    # Enough for the page, or I have no older messages to search: the index can add nothing.
    return found if complete or len(newest) < SCAN else None


async def _match_here(
    session: AsyncSession, query: Query, ids: list[int], limit: int
) -> tuple[list[int], bool]:
    """Which of ``ids`` (newest first) match, as the index would; up to limit + 1 of them.

    Matched on the folded text (the index's) with the patterns the highlights use; also
    whether the page was filled (limit + 1 found) before ``ids`` ran out.
    """
    if not ids:
        return [], False
    if not query.terms:  # filters only (from:, has:file): every candidate is found
        return ids[: limit + 1], len(ids) > limit
    sqlite = session.get_bind().dialect.name == "sqlite"
    index, key = _index(sqlite)
    if not sqlite:
        # MySQL/MariaDB match in the database, with the same patterns as REGEXP (PCRE,
        # whose \w is Unicode's, as Python's is): reading the texts out to match them
        # here was most of a rare word's time, a round trip per 200 of them and the CPU.
        statement = (
            select(key)
            .where(key.in_(ids), *(index.c.body.regexp_match(_regexp(t)) for t in query.terms))
            .order_by(key.desc())
            .limit(limit + 1)
        )
        matched = list((await session.scalars(statement)).all())
        return matched, len(matched) > limit
    patterns = [_pattern(term) for term in query.terms]
    found: list[int] = []
    for start in range(0, len(ids), _READ):
        batch = ids[start : start + _READ]
        # The index holds each message's text already folded: folding it again here was
        # most of the time this matching took. A message without text has no row.
        rows = await session.execute(select(key, index.c.body).where(key.in_(batch)))
        texts = {message_id: body for message_id, body in rows}
        for message_id in batch:
            folded = texts.get(message_id, "")
            if all(pattern.search(folded) for pattern in patterns):
                found.append(message_id)
                if len(found) > limit:
                    return found, True
    return found, False


def _index(sqlite: bool) -> tuple[Any, Any]:
    """The index table and its message id: FTS5's rowid, or a column of its own.

    ``has_link`` exists on MySQL/MariaDB only (`search_index.has_link`).
    """
    key = "rowid" if sqlite else "message_id"
    index = table(INDEX, column(key), column("body"), column("has_link"))
    return index, index.c[key]


def _cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise InvalidInput(("query", "cursor"), "cursor is not one this server gave out")
    return int(cursor)


def _filters(query: Query, chat_id: int | None) -> list[Any]:
    conditions: list[Any] = []
    for wanted in (chat_id, query.chat_id):
        if wanted is not None:
            conditions.append(Message.chat_id == wanted)
    if query.before is not None:
        conditions.append(Message.created_at < query.before)
    if query.after is not None:
        conditions.append(Message.created_at >= query.after)
    if query.has & {"file", "image"}:
        conditions.append(Message.attachment_id.is_not(None))
    if "link" in query.has:
        # In any case, on every backend (MySQL/MariaDB's binary collation is case-sensitive),
        # as search_index.has_link decides.
        lowered = func.lower(Message.content)
        conditions.append(or_(*(lowered.like(pattern) for pattern in _LINK)))
    return conditions


def _matching(terms: list[Term], index: Any, sqlite: bool) -> list[ColumnElement[bool]]:
    if sqlite:
        return [literal_column(INDEX).op("MATCH")(_fts5(terms))]
    indexed = [t for t in terms if not t.unspaced and max(map(len, t.words)) >= MYSQL_MIN_WORD]
    rest = [t for t in terms if t not in indexed]
    conditions: list[ColumnElement[bool]] = []
    if indexed:
        conditions.append(match(index.c.body, against=_boolean(indexed), in_boolean_mode=True))
    for term in rest:
        # The folded text keeps one space between words (and between CJK characters).
        text = " ".join(term.words)
        if term.unspaced:
            conditions.append(index.c.body.contains(text, autoescape=True))
        else:
            start = or_(
                index.c.body.startswith(text, autoescape=True),
                index.c.body.contains(" " + text, autoescape=True),
            )
            conditions.append(start)
    return conditions


def _fts5(terms: list[Term]) -> str:
    """An FTS5 query: every term a quoted string, so no character of it is syntax."""
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " AND ".join(parts)


def _boolean(terms: list[Term]) -> str:
    """A MySQL boolean-mode query: each term required; words hold no operator characters."""
    parts = []
    for term in terms:
        if len(term.words) == 1:
            parts.append(f"+{term.words[0]}" + ("*" if term.prefix else ""))
        else:
            parts.append('+"' + " ".join(term.words) + '"')
    return " ".join(parts)


def highlights(content: str, query: Query) -> list[list[int]]:
    """Where the terms are in ``content``: [start, end) character offsets, merged, in order."""
    folded, origin = _folded_with_origin(content)
    spans: list[tuple[int, int]] = []
    for term in query.terms:
        for found in _pattern(term).finditer(folded):
            if found.end() > found.start():
                spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _folded_with_origin(content: str) -> tuple[str, list[int]]:
    """``content`` folded character by character, with where each folded one came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(content):
        for folded in fold_text(char) if not char.isspace() else " ":
            chars.append(folded)
            origin.append(i)
    return "".join(chars), origin


def _regexp(term: Term) -> str:
    """`_pattern` for MySQL/MariaDB's REGEXP: Python's escapes of punctuation are PCRE's."""
    return _pattern(term).pattern


def _pattern(term: Term) -> re.Pattern[str]:
    if term.unspaced:
        return re.compile(r"\s*".join(map(re.escape, term.words)))
    body = r"[\W_]+".join(map(re.escape, term.words))
    start = "" if UNSPACED.fullmatch(term.words[0]) else r"(?<![^\W_])"
    return re.compile(start + body + (r"[^\W_]*" if term.prefix else r"(?![^\W_])"))
