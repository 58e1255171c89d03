"""What a member does with messages, the same over REST and the socket.

Each action applies the limits, calls the domain rules inside the caller's unit of work,
and records the events; the unit publishes them once it has committed.
"""

from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions import previews, push
from parley.actions.context import Context
from parley.actions.events import (
    ChatRead,
    MessageDeleted,
    MessageNew,
    MessageUpdated,
    ReactionAdded,
    ReactionRemoved,
)
from parley.core.events import record
from parley.core.unit_of_work import Job, Lane
from parley.db.models import User
from parley.membership.service import member_ids
from parley.messages import reactions, service
from parley.messages.schemas import MessageIn, MessageOut
from parley.messages.service import Sent
from parley.messages.views import per_viewer
from parley.previews import service as preview_service


async def send(
    ctx: Context,
    me: User,
    chat_id: int,
    data: MessageIn,
    address: str,
    within: AsyncSession | None = None,
) -> Sent:
    """Store and announce a message; it returns once the message is durable.

    ``within``: the caller's unit of work, if it has one (a REST request's); on SQLite the
    message is written with the others being sent at the same moment instead.
    """
    await _limit(ctx, me, address)
    return await ctx.units.write(_sending(ctx, me.id, chat_id, data), within)


async def submit(
    ctx: Context, me: User, chat_id: int, data: MessageIn, address: str, lane: Lane
) -> Awaitable[Sent]:
    """Apply the limits and take the message's place in ``lane``'s order; await it later.

    A socket sends its frames on without waiting for each commit, so one sender's
    messages keep their order and a burst shares batches (see `Lane`).
    """
    await _limit(ctx, me, address)
    return lane.submit(_sending(ctx, me.id, chat_id, data))


async def _limit(ctx: Context, me: User, address: str) -> None:
    await ctx.limits.message.hit(f"user:{me.id}")
    await ctx.limits.message_address.hit(f"ip:{address}")


def _sending(ctx: Context, me_id: int, chat_id: int, data: MessageIn) -> Job[Sent]:
    """The write that stores the message and records its events."""

    async def job(session: AsyncSession, shared: bool) -> Sent:
        sent = await service.send(
            session,
            ctx.links,
            me_id,
            chat_id,
            data.content,
            data.attachment_url,
            data.client_id,
            data.reply_to_id,
            shared=shared,
        )
        if sent.created:
            recipients = await member_ids(session, chat_id, reuse=True)
            record(session, MessageNew(chat_id=chat_id, message=sent.message).to(recipients))
            previews.after_send(session, ctx, sent.message)
            push.after_send(session, ctx, sent.message, recipients)
            if sent.others_read:
                # Replying means having read what came before: the others see their ticks.
                read = ChatRead(chat_id=chat_id, user_id=me_id, message_id=sent.message.id)
                record(session, read.to(recipients))
        return sent

    return job


async def edit(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, message_id: int, content: str
) -> MessageOut:
    link_before = await previews.link_before_edit(session, message_id, content)
    message = await service.edit(session, ctx.links, me, chat_id, message_id, content)
    message = await previews.after_edit(session, ctx, message, link_before)
    recipients = await member_ids(session, chat_id)
    # Reactions' `me` differs by person: one event per distinct view, to disjoint audiences.
    for view, audience in await per_viewer(session, message, recipients):
        record(session, MessageUpdated(chat_id=chat_id, message=view).to(audience))
    return message


async def delete(session: AsyncSession, me: User, chat_id: int, message_id: int) -> None:
    await service.delete(session, me, chat_id, message_id)
    await preview_service.forget(session, message_id)  # its content is gone, so is this
    recipients = await member_ids(session, chat_id)
    record(session, MessageDeleted(chat_id=chat_id, message_id=message_id).to(recipients))


async def mark_read(session: AsyncSession, me: User, chat_id: int, message_id: int) -> None:
    upto = await service.mark_read(session, me, chat_id, message_id)
    if upto is not None:
        recipients = await member_ids(session, chat_id)
        record(session, ChatRead(chat_id=chat_id, user_id=me.id, message_id=upto).to(recipients))


async def react(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, message_id: int, emoji: str
) -> None:
    """Add my reaction; members hear of it only if it is new (a repeat changes nothing)."""
    # Each reaction reaches every member like a message does: the same per-person budget.
    await ctx.limits.message.hit(f"user:{me.id}")
    if await reactions.add(session, me.id, chat_id, message_id, emoji):
        event = ReactionAdded(chat_id=chat_id, message_id=message_id, emoji=emoji, user_id=me.id)
        record(session, event.to(await member_ids(session, chat_id)))


async def unreact(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, message_id: int, emoji: str
) -> None:
    await ctx.limits.message.hit(f"user:{me.id}")
    if await reactions.remove(session, me.id, chat_id, message_id, emoji):
        event = ReactionRemoved(chat_id=chat_id, message_id=message_id, emoji=emoji, user_id=me.id)
        record(session, event.to(await member_ids(session, chat_id)))
