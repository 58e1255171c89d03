"""Who a message mentions: `@username` of a member, and `@all` / `@here` in groups.

Stored at send (and again at each edit) in `message_mentions`, so the unread mention count
of the chat list is a join, not a parse of every unread message.
"""

import re
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.db.models import Chat, ChatUser, Mention, User
from parley.membership.service import MANAGERS

# Usernames are 3-32 of [A-Za-z0-9_.]. Not after a word character, "." or "@", so an
# e-mail address (ann@example.com) mentions nobody; nor a longer run, which is no username.
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_.]{3,32})(?![A-Za-z0-9_.])")
# In a group these mean every member but the sender, when an owner or admin writes them.
EVERYONE = frozenset({"all", "here"})

_MENTIONS = cast(Table, Mention.__table__)
_CHATS = cast(Table, Chat.__table__)
_CHAT_USERS = cast(Table, ChatUser.__table__)
_USERS = cast(Table, User.__table__)
# Built once: asked only for messages with a "@" in them.
_MEMBERS = (
    select(_CHAT_USERS.c.user_id, _CHAT_USERS.c.role, _USERS.c.username_key, _CHATS.c.is_group)
    .join(_USERS, _USERS.c.id == _CHAT_USERS.c.user_id)
    .join(_CHATS, _CHATS.c.id == _CHAT_USERS.c.chat_id)
    .where(_CHAT_USERS.c.chat_id == bindparam("b_chat"))
)
_ADD = insert(_MENTIONS)
_FORGET = delete(_MENTIONS).where(_MENTIONS.c.message_id == bindparam("b_message"))


def names(content: str) -> set[str]:
    """The lower-cased names `content` mentions; a trailing "." may end the sentence instead."""
    found = set()
    for match in _MENTION.finditer(content):
        name = match.group(1).lower()
        found.add(name)
        if name.endswith("."):
            found.add(name.rstrip("."))
    return found


def resolve(
    mentioned: set[str], sender_id: int, members: Iterable[Any], is_group: bool
) -> list[int]:
    """The members ``mentioned`` names (never the sender), ascending.

    ``members``: rows of (user_id, role, username_key). In a group, `@all` and `@here` are
    keywords, never a member's name: from its owner or admins they mention everyone, from
    anyone else they are plain text.
    """
    rows = list(members)
    everyone = False
    if is_group and mentioned & EVERYONE:
        mentioned = mentioned - EVERYONE
        everyone = any(uid == sender_id and role in MANAGERS for uid, role, _ in rows)
    return sorted(
        uid for uid, _, key in rows if uid != sender_id and (everyone or key in mentioned)
    )


async def store(
    session: AsyncSession, message_id: int, chat_id: int, sender_id: int, content: str
) -> list[int]:
    """Record whom a new message mentions; no query at all unless it names someone."""
    mentioned = names(content) if "@" in content else set()
    if not mentioned:
        return []
    rows = (await session.execute(_MEMBERS, {"b_chat": chat_id})).all()
    is_group = bool(rows[0].is_group) if rows else False
    members = [(row.user_id, row.role, row.username_key) for row in rows]
    user_ids = resolve(mentioned, sender_id, members, is_group)
    if user_ids:
        await session.execute(_ADD, [{"message_id": message_id, "user_id": u} for u in user_ids])
    return user_ids


async def restore(
    session: AsyncSession, message_id: int, chat_id: int, sender_id: int, old: str, new: str
) -> None:
    """An edit: mentions follow the new text (only when either text could mention anyone)."""
    if "@" not in old and "@" not in new:
        return
    await session.execute(_FORGET, {"b_message": message_id})
    await store(session, message_id, chat_id, sender_id, new)
