"""Sending, paging, editing, deleting and reading messages: the rules, not the events.

The actions (`parley.actions.messages`) call these inside a unit of work and record what
happened as events.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Integer,
    Select,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.attachments.service import attachment_of, owned
from parley.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from parley.core.unit_of_work import defer
from parley.db.models import Chat, ChatUser, Message, User
from parley.db.rows import named_rows
from parley.db.types import utcnow
from parley.membership.service import CHAT_NOT_FOUND, MANAGERS, require_member
from parley.messages import mentions, search_index
from parley.messages.schemas import MessageOut
from parley.messages.views import (
    MESSAGE,
    excerpt,
    message_dicts,
    message_fields,
    message_views,
    with_extras,
)

MESSAGE_NOT_FOUND = "message not found"
# The same answer whether the message is elsewhere, deleted or in a chat you cannot see.
NO_SUCH_REPLY = "reply_to_id: no such message in this chat"
# The tables themselves, for statements that need no ORM objects.
MESSAGES = cast(Table, Message.__table__)
CHATS = cast(Table, Chat.__table__)
CHAT_USERS = cast(Table, ChatUser.__table__)

# The send path's statements, built once: a statement object keeps its cache key and
# compiled form, so a send pays for no SQL building (that was half of its CPU).
# My read marker, and the chat row locked: on MySQL that serialises senders per chat, so
# ids commit in order (SQLite's writers already take turns).
_MY_MARKER = (
    select(CHAT_USERS.c.last_read_message_id)
    .join(CHATS, CHATS.c.id == CHAT_USERS.c.chat_id)
    .where(CHAT_USERS.c.chat_id == bindparam("b_chat"), CHAT_USERS.c.user_id == bindparam("b_me"))
    .with_for_update()
)
_INSERT = insert(MESSAGES)
# The message a reply answers (asked only for replies): live, and in the same chat.
_REPLIED = select(MESSAGES.c.sender_id, MESSAGES.c.content).where(
    MESSAGES.c.id == bindparam("b_id"),
    MESSAGES.c.chat_id == bindparam("b_chat"),
    MESSAGES.c.deleted_at.is_(None),
)
_LAST_MESSAGE = (
    update(CHATS)
    .where(CHATS.c.id == bindparam("b_chat"))
    .values(last_message_id=bindparam("b_message"), last_activity_at=bindparam("b_at"))
)
_MARKER = (
    update(CHAT_USERS)
    .where(CHAT_USERS.c.chat_id == bindparam("b_chat"), CHAT_USERS.c.user_id == bindparam("b_me"))
    .values(last_read_message_id=bindparam("b_upto"))
)
_OTHERS_READ = (
    update(MESSAGES)
    .where(
        MESSAGES.c.chat_id == bindparam("b_chat"),
        MESSAGES.c.id > bindparam("b_after"),
        MESSAGES.c.id <= bindparam("b_upto"),
        MESSAGES.c.sender_id != bindparam("b_me"),
        MESSAGES.c.is_read.is_(False),
    )
    .values(is_read=True)
)


async def history(
    session: AsyncSession,
    links: Links,
    me_id: int,
    chat_id: int,
    *,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> list[dict[str, Any]]:
    """A page of a chat in ascending id order: newest by default, either side of a cursor,
    or ``around`` one message (it and about as many before it as after it).

    MessageOut's fields in plain dicts, for `MESSAGE_LIST_DICTS` to write: a page is
    never validated, only written."""
    if before is not None and after is not None:
        raise InvalidInput(("query", "after"), "give either before or after, not both")
    if around is not None and (before is not None or after is not None):
        raise InvalidInput(("query", "around"), "around cannot be combined with before or after")
    if around is not None:
        await require_member(session, chat_id, me_id)
        return await _around(session, links, me_id, chat_id, around, limit)
    params = {"b_chat": chat_id, "b_me": me_id, "b_limit": limit}
    if after is not None:
        statement, params["b_cursor"] = _PAGE_AFTER, after
    elif before is not None:
        statement, params["b_cursor"] = _PAGE_BEFORE, before
    else:
        statement = _PAGE_NEWEST
    rows = named_rows(await session.execute(statement, params))
    if not rows:
        # Empty: a chat with nothing there, or not mine (then 404, like every other route).
        await require_member(session, chat_id, me_id)
        return []
    page = await message_dicts(session, links, rows, me_id, extras_in_rows=True)
    return page if after is not None else page[::-1]


def _live_rows(chat_id: int) -> Select[Message]:
    return (
        select(Message)
        .where(Message.chat_id == chat_id, Message.deleted_at.is_(None))
        # MySQL otherwise uses only the chat_id half of the index and walks every newer
        # row to reach a deep `before` cursor; forced, it range-scans 50 rows at any depth.
        .with_hint(Message, "FORCE INDEX (ix_messages_chat_id_id)", dialect_name="mysql")
    )


def _page(*, newer: bool, cursor: bool) -> Select[Any]:
    """A history page as plain rows with their extras, built once: membership is checked
    in the same statement (a page of a chat that is not mine is empty), and no ORM
    objects are made."""
    mine = (
        select(CHAT_USERS.c.user_id)
        .where(
            CHAT_USERS.c.chat_id == bindparam("b_chat"), CHAT_USERS.c.user_id == bindparam("b_me")
        )
        .exists()
    )
    query = with_extras(
        select(MESSAGES)
        .where(MESSAGES.c.chat_id == bindparam("b_chat"), MESSAGES.c.deleted_at.is_(None), mine)
        .with_hint(MESSAGES, "FORCE INDEX (ix_messages_chat_id_id)", dialect_name="mysql")
    )
    if cursor:
        bound = (
            MESSAGES.c.id > bindparam("b_cursor")
            if newer
            else MESSAGES.c.id < bindparam("b_cursor")
        )
        query = query.where(bound)
    order = MESSAGES.c.id.asc() if newer else MESSAGES.c.id.desc()
    return query.order_by(order).limit(bindparam("b_limit", type_=Integer))


_PAGE_NEWEST = _page(newer=False, cursor=False)
_PAGE_BEFORE = _page(newer=False, cursor=True)
_PAGE_AFTER = _page(newer=True, cursor=True)


async def _around(
    session: AsyncSession, links: Links, me_id: int, chat_id: int, message_id: int, limit: int
) -> list[dict[str, Any]]:
    """``limit`` messages holding ``message_id``: half before it, the rest from it on.

    Near either end of the chat the other side fills the page, so it is as full as the
    chat allows. Two range scans of the (chat_id, id) index, whatever the depth.
    """
    query = _live_rows(chat_id)
    newer = (
        await session.scalars(
            query.where(Message.id >= message_id).order_by(Message.id.asc()).limit(limit)
        )
    ).all()
    if not newer or newer[0].id != message_id:
        raise NotFound(MESSAGE_NOT_FOUND)  # unknown, deleted, or of another chat
    older: Sequence[Message] = ()
    if limit > 1:
        older = (
            await session.scalars(
                query.where(Message.id < message_id).order_by(Message.id.desc()).limit(limit - 1)
            )
        ).all()
    before = min(len(older), max(limit // 2, limit - len(newer)))
    rows = [*older[:before][::-1], *newer[: limit - before]]
    return await message_dicts(session, links, rows, me_id)


@dataclass(frozen=True, slots=True)
class Sent:
    message: MessageOut
    created: bool  # False: a repeat of a client_id, answered with the original
    others_read: bool  # sending marked others' messages read (a chat.read to tell)


async def send(
    session: AsyncSession,
    links: Links,
    sender_id: int,
    chat_id: int,
    content: str,
    attachment_url: str | None = None,
    client_id: str | None = None,
    reply_to_id: int | None = None,
    *,
    shared: bool = False,
) -> Sent:
    """Store a message once; a repeat with the same client_id returns the original.

    ``shared``: the transaction holds other writes too (a batch), so a repeat is raised
    (IntegrityError) rather than answered by rolling back; the batch then retries alone.
    The hottest write there is, so it is plain table statements rather than ORM objects:
    the unit-of-work bookkeeping cost more CPU than the database did.
    """
    read = await session.scalar(_MY_MARKER, {"b_chat": chat_id, "b_me": sender_id})
    if read is None:
        raise NotFound(CHAT_NOT_FOUND)
    reply_to = None
    if reply_to_id is not None:
        replied = (
            await session.execute(_REPLIED, {"b_id": reply_to_id, "b_chat": chat_id})
        ).first()
        if replied is None:
            # A retry of a reply whose original was deleted since: answer with what was
            # stored (only off the batch path; a batch runs its failures again alone).
            original = await _by_client_id(session, sender_id, client_id) if client_id else None
            if original is not None and not shared:
                repeat = await _checked_repeat(session, links, original, chat_id, sender_id)
                return Sent(repeat, False, False)
            raise InvalidInput(("body", "reply_to_id"), NO_SUCH_REPLY)
        reply_to = {
            "id": reply_to_id,
            "sender_id": replied.sender_id,
            "excerpt": excerpt(replied.content, False),
            "deleted": False,
        }
    attachment = await owned(session, sender_id, attachment_url) if attachment_url else None
    now = utcnow()
    attachment_id = attachment.id if attachment else None
    values = {
        "chat_id": chat_id,
        "sender_id": sender_id,
        "content": content,
        "is_read": False,
        "created_at": now,
        "attachment_id": attachment_id,
        "client_id": client_id,
        "reply_to_id": reply_to_id,
        "reacted": False,
    }
    try:
        inserted = cast(CursorResult[Any], await session.execute(_INSERT, values))
    except IntegrityError:
        if client_id is None or shared:
            raise
        # A repeat: the unique (sender_id, client_id) kept the first one.
        await session.rollback()
        original = await _by_client_id(session, sender_id, client_id)
        if original is None:
            raise
        repeat = await _checked_repeat(session, links, original, chat_id, sender_id)
        return Sent(repeat, False, False)
    key = inserted.inserted_primary_key
    assert key is not None  # a single-row INSERT always has one
    message_id = int(key[0])
    # Once per chat and per sender in a batch, before it commits: the last one says it all.
    newest = {"b_chat": chat_id, "b_message": message_id, "b_at": now}
    defer(session, (_LAST_MESSAGE, chat_id), partial(_execute, _LAST_MESSAGE, newest))
    # Replying means having read what came before; your own message is never unread to you.
    mine = {"b_chat": chat_id, "b_me": sender_id, "b_upto": message_id}
    defer(session, (_MARKER, chat_id, sender_id), partial(_execute, _MARKER, mine))
    search_index.add(session, message_id, content)
    marked = await _mark_others_read(session, chat_id, sender_id, read, message_id)
    mentioned = await mentions.store(session, message_id, chat_id, sender_id, content)
    shown = attachment_of(links, attachment) if attachment is not None else None
    fields = message_fields(
        id=message_id,
        chat_id=chat_id,
        sender_id=sender_id,
        content=content,
        created_at=now,
        edited_at=None,
        is_read=False,
        client_id=client_id,
        attachment_id=attachment_id,
        attachment=shown,
    )
    fields["reply_to"] = reply_to
    fields["mentions"] = mentioned
    return Sent(MESSAGE.validate_python(fields), True, marked > 0)


async def _execute(statement: Executable, values: dict[str, Any], session: AsyncSession) -> None:
    await session.execute(statement, values)


async def _by_client_id(session: AsyncSession, sender_id: int, client_id: str) -> Message | None:
    return await session.scalar(
        select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id)
    )


async def _checked_repeat(
    session: AsyncSession, links: Links, original: Message, chat_id: int, sender_id: int
) -> MessageOut:
    if original.chat_id != chat_id:
        # A client_id names one message; reusing it for another chat is a client bug.
        raise Conflict("client_id was already used for a message in another chat")
    (out,) = await message_views(session, links, [original], sender_id)
    return out


async def _live_message(session: AsyncSession, chat_id: int, message_id: int) -> Message:
    message = await session.get(Message, message_id, with_for_update=True)
    if message is None or message.chat_id != chat_id or message.deleted_at is not None:
        raise NotFound(MESSAGE_NOT_FOUND)
    return message


async def edit(
    session: AsyncSession, links: Links, me: User, chat_id: int, message_id: int, content: str
) -> MessageOut:
    await require_member(session, chat_id, me.id)
    message = await _live_message(session, chat_id, message_id)
    if message.sender_id != me.id:
        raise Forbidden("only the sender may edit a message")
    old = message.content
    message.content = content
    message.edited_at = utcnow()
    await session.flush()
    await mentions.restore(session, message_id, chat_id, me.id, old, content)
    await search_index.replace(session, message_id, content)
    (out,) = await message_views(session, links, [message], me.id)
    return out


async def delete(session: AsyncSession, me: User, chat_id: int, message_id: int) -> None:
    """Soft delete: the row stays (ids stay a valid cursor) but its content is gone."""
    membership = await require_member(session, chat_id, me.id)
    message = await _live_message(session, chat_id, message_id)
    if message.sender_id != me.id and membership.role not in MANAGERS:
        raise Forbidden("only the sender or the chat's owner or admins may delete a message")
    message.deleted_at = utcnow()
    message.content = ""
    await search_index.remove(session, message_id)
    # attachment_id stays: the file is removed a grace period after deleted_at (see
    # parley.attachments.service.sweep); nobody but its uploader may read it meanwhile.
    chat = await session.get(Chat, chat_id, with_for_update=True)
    if chat is not None and chat.last_message_id == message_id:
        chat.last_message_id = await session.scalar(
            select(Message.id)
            .where(Message.chat_id == chat_id, Message.deleted_at.is_(None))
            .order_by(Message.id.desc())
            .limit(1)
        )
    await session.flush()


async def mark_read(session: AsyncSession, me: User, chat_id: int, message_id: int) -> int | None:
    """Everything up to message_id is read by me; others' messages become is_read.

    Returns where my marker now stands, or None when it did not move.
    """
    membership = await require_member(session, chat_id, me.id)
    chat = await session.get(Chat, chat_id)
    # A marker past the newest message would hide messages that have not arrived yet.
    upto = min(message_id, (chat.last_message_id or 0) if chat else 0)
    if upto <= membership.last_read_message_id:
        return None
    await _advance_read(session, membership, upto)
    return upto


async def _advance_read(session: AsyncSession, membership: ChatUser, upto: int) -> int:
    """Move the reader's marker to ``upto``; return how many others' messages became read."""
    previous = membership.last_read_message_id
    if upto <= previous:
        return 0
    membership.last_read_message_id = upto
    return await _mark_others_read(session, membership.chat_id, membership.user_id, previous, upto)


async def _mark_others_read(
    session: AsyncSession, chat_id: int, reader_id: int, after: int, upto: int
) -> int:
    """Others' messages in (after, upto] become is_read; how many did."""
    params = {"b_chat": chat_id, "b_after": after, "b_upto": upto, "b_me": reader_id}
    result = cast(CursorResult[Any], await session.execute(_OTHERS_READ, params))
    return result.rowcount


async def missed(
    session: AsyncSession,
    links: Links,
    user_id: int,
    after: int,
    chat_id: int | None,
    limit: int,
) -> list[MessageOut]:
    """Messages after ``after`` in the user's chats (or one of them), oldest first."""
    query = (
        select(Message)
        .join(ChatUser, (ChatUser.chat_id == Message.chat_id) & (ChatUser.user_id == user_id))
        .where(Message.id > after, Message.deleted_at.is_(None))
    )
    if chat_id is not None:
        query = query.where(Message.chat_id == chat_id)
    rows = await session.scalars(query.order_by(Message.id).limit(limit))
    return await message_views(session, links, rows.all(), user_id)


async def readers(session: AsyncSession, me_id: int, chat_id: int, message_id: int) -> list[User]:
    """Members other than its sender whose read marker has reached the message."""
    await require_member(session, chat_id, me_id)
    message = await session.get(Message, message_id)
    if message is None or message.chat_id != chat_id or message.deleted_at is not None:
        raise NotFound(MESSAGE_NOT_FOUND)
    rows = await session.scalars(
        select(User)
        .join(ChatUser, ChatUser.user_id == User.id)
        .where(
            ChatUser.chat_id == chat_id,
            ChatUser.last_read_message_id >= message_id,
            ChatUser.user_id != message.sender_id,
        )
        .order_by(User.id)
    )
    return list(rows.all())
