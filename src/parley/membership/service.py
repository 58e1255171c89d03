"""Who is in which chat, and with what role: every rule that guards a chat asks here."""

from typing import Any, Literal

from sqlalchemy import bindparam, select
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

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


_ASKED = "parley.members"


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_asked(session: Session, _transaction: Any) -> None:
    # Asked answers hold for one transaction only.
    session.info.pop(_ASKED, None)


async def member_ids(session: AsyncSession, chat_id: int, *, reuse: bool = False) -> frozenset[int]:
    """The chat's members. ``reuse``: answer from this transaction's earlier asking, for
    callers that change no membership (a batch of sends asks once per chat)."""
    asked: dict[int, frozenset[int]] = session.info.setdefault(_ASKED, {})
    if reuse and chat_id in asked:
        return asked[chat_id]
    rows = await session.scalars(_MEMBERS, {"b_chat": chat_id})
    asked[chat_id] = members = frozenset(rows.all())
    return members


async def contacts(session: AsyncSession, user_id: int) -> frozenset[int]:
    """Everyone who shares a chat with the user, the user included."""
    shared = select(ChatUser.chat_id).where(ChatUser.user_id == user_id)
    rows = await session.scalars(
        select(ChatUser.user_id).where(ChatUser.chat_id.in_(shared)).distinct()
    )
    return frozenset(rows.all()) | {user_id}


async def chat_ids(session: AsyncSession, user_id: int) -> list[int]:
    """The chats the user is a member of now, by id."""
    rows = await session.scalars(
        select(ChatUser.chat_id).where(ChatUser.user_id == user_id).order_by(ChatUser.chat_id)
    )
    return list(rows.all())
