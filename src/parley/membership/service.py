"""Who is in which chat, and with what role: every rule that guards a chat asks here."""

from typing import Literal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import NotFound
from parley.db.models import ChatUser

Role = Literal["owner", "admin", "member"]
MANAGERS = ("owner", "admin")
CHAT_NOT_FOUND = "chat not found"


async def require_member(session: AsyncSession, chat_id: int, user_id: int) -> ChatUser:
    """The caller's membership; 404 whether the chat is missing or just not theirs."""
    membership = await session.get(ChatUser, (chat_id, user_id))
    if membership is None:
        raise NotFound(CHAT_NOT_FOUND)
    return membership


# Built once (asked on every send): the statement keeps its compiled form.
_MEMBERS = select(ChatUser.user_id).where(ChatUser.chat_id == bindparam("b_chat"))


async def member_ids(session: AsyncSession, chat_id: int) -> frozenset[int]:
    rows = await session.scalars(_MEMBERS, {"b_chat": chat_id})
    return frozenset(rows.all())


async def contacts(session: AsyncSession, user_id: int) -> frozenset[int]:
    """Everyone who shares a chat with the user, the user included."""
    shared = select(ChatUser.chat_id).where(ChatUser.user_id == user_id)
    rows = await session.scalars(
        select(ChatUser.user_id).where(ChatUser.chat_id.in_(shared)).distinct()
    )
    return frozenset(rows.all()) | {user_id}
