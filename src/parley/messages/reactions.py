"""Reactions: one of each emoji per person on a live message, added and removed idempotently;
and who reacted, for the members of its chat."""

from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import NotFound
from parley.db.models import Message, Reaction
from parley.db.types import utcnow
from parley.membership.service import require_member
from parley.messages.schemas import ReactionUsers
from parley.messages.service import MESSAGE_NOT_FOUND

_MESSAGES = cast(Table, Message.__table__)
_REACTIONS = cast(Table, Reaction.__table__)
_LIVE = (
    _MESSAGES.c.id == bindparam("b_message"),
    _MESSAGES.c.chat_id == bindparam("b_chat"),
    _MESSAGES.c.deleted_at.is_(None),
)
# Sets the `reacted` hint, and as a write it also queues this reaction behind any other
# on the same message: MySQL locks the row, SQLite's writers take turns (db.write_lock).
# So the look for an existing reaction below sees every earlier one, committed.
_CLAIM = update(_MESSAGES).where(*_LIVE).values(reacted=True)
_IS_LIVE = select(_MESSAGES.c.id).where(*_LIVE)
_MINE = (
    select(_REACTIONS.c.id)
    .where(
        _REACTIONS.c.message_id == bindparam("b_message"),
        _REACTIONS.c.user_id == bindparam("b_me"),
        _REACTIONS.c.emoji == bindparam("b_emoji"),
    )
    .limit(1)
)
# Reaction order: an emoji's first row is its first use, the order MessageOut.reactions has.
_WHO = (
    select(_REACTIONS.c.emoji, _REACTIONS.c.user_id)
    .where(_REACTIONS.c.message_id == bindparam("b_message"))
    .order_by(_REACTIONS.c.id)
)
_ADD = insert(_REACTIONS)
_REMOVE = delete(_REACTIONS).where(
    _REACTIONS.c.message_id == bindparam("b_message"),
    _REACTIONS.c.user_id == bindparam("b_me"),
    _REACTIONS.c.emoji == bindparam("b_emoji"),
)


async def add(session: AsyncSession, me_id: int, chat_id: int, message_id: int, emoji: str) -> bool:
    """My ``emoji`` on the message; True if it is new (False: I had already reacted so)."""
    await require_member(session, chat_id, me_id)
    claimed = cast(
        CursorResult[Any],
        await session.execute(_CLAIM, {"b_message": message_id, "b_chat": chat_id}),
    )
    if claimed.rowcount == 0:
        raise NotFound(MESSAGE_NOT_FOUND)  # unknown, deleted, or of another chat
    params = {"b_message": message_id, "b_me": me_id, "b_emoji": emoji}
    if await session.scalar(_MINE, params) is not None:
        return False
    values = {"message_id": message_id, "user_id": me_id, "emoji": emoji, "created_at": utcnow()}
    try:
        # A savepoint, so losing a race (another node's SQLite process, say) undoes only
        # this insert: the unique constraint kept the other, and the answer is the same.
        async with session.begin_nested():
            await session.execute(_ADD, values)
    except IntegrityError:
        return False
    return True


async def remove(
    session: AsyncSession, me_id: int, chat_id: int, message_id: int, emoji: str
) -> bool:
    """Take my ``emoji`` off the message; True if it was there."""
    await require_member(session, chat_id, me_id)
    if await session.scalar(_IS_LIVE, {"b_message": message_id, "b_chat": chat_id}) is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    params = {"b_message": message_id, "b_me": me_id, "b_emoji": emoji}
    removed = cast(CursorResult[Any], await session.execute(_REMOVE, params))
    return removed.rowcount > 0


async def who_reacted(
    session: AsyncSession, me_id: int, chat_id: int, message_id: int
) -> list[ReactionUsers]:
    """Each emoji on the message, by first use, with who reacted so, in reaction order.

    People who have left the chat since are still named: their reactions still count.
    """
    await require_member(session, chat_id, me_id)
    if await session.scalar(_IS_LIVE, {"b_message": message_id, "b_chat": chat_id}) is None:
        raise NotFound(MESSAGE_NOT_FOUND)  # unknown, deleted, or of another chat
    users: dict[str, list[int]] = {}  # dicts keep insertion order: first use first
    for emoji, user_id in await session.execute(_WHO, {"b_message": message_id}):
        users.setdefault(emoji, []).append(user_id)
    return [ReactionUsers(emoji=emoji, user_ids=ids) for emoji, ids in users.items()]
