"""Making chats and changing who is in them; every member hears of it."""

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.actions.events import ChatCreated, ChatUpdated, MemberAdded, MemberRemoved
from parley.chats import service
from parley.chats.schemas import ChatCreate, ChatOut
from parley.core.events import record
from parley.db.models import User
from parley.membership.service import Role


def _members(chat: ChatOut) -> frozenset[int]:
    return frozenset(member.user.id for member in chat.members)


async def create(
    session: AsyncSession, ctx: Context, me: User, data: ChatCreate
) -> tuple[ChatOut, bool]:
    """A new group, or the direct chat between two people (created once: then False)."""
    if data.is_group:
        assert data.title is not None  # the schema requires it for groups
        chat = await service.create_group(
            session, me, data.title, data.member_ids, ctx.views, ctx.settings.max_group_members
        )
        created = True
    else:
        chat, created = await service.create_direct(session, me, data.member_ids[0], ctx.views)
    if created:
        record(session, ChatCreated(chat=chat).to(_members(chat)))
    return chat, created


async def rename(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, title: str
) -> ChatOut:
    chat = await service.rename(session, me, chat_id, title, ctx.views)
    record(session, ChatUpdated(chat=chat).to(_members(chat)))
    return chat


async def add_member(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, user_id: int, role: Role
) -> ChatOut:
    chat = await service.add_member(
        session, me, chat_id, user_id, role, ctx.views, ctx.settings.max_group_members
    )
    members = _members(chat)
    record(session, MemberAdded(chat_id=chat_id, user_id=user_id).to(members))
    record(session, ChatUpdated(chat=chat).to(members))
    return chat


async def set_role(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, user_id: int, role: Role
) -> ChatOut:
    # chat.updated carries every member's role: clients redraw their controls from it.
    chat = await service.set_role(session, me, chat_id, user_id, role, ctx.views)
    record(session, ChatUpdated(chat=chat).to(_members(chat)))
    return chat


async def remove_member(session: AsyncSession, me: User, chat_id: int, user_id: int) -> None:
    told = await service.remove_member(session, me, chat_id, user_id)
    record(session, MemberRemoved(chat_id=chat_id, user_id=user_id).to(told))
