"""Link previews around sends and edits: fetched after the commit, announced as an update.

A send or an edit only notes, on its unit of work, that the message's first link wants a
preview; once that unit has committed, the fetch starts in the background
(`parley.previews.runner`). When the page has been read, the preview is stored in a unit
of work of its own and every member gets `message.updated` with the whole message.
"""

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.actions.events import MessageUpdated
from parley.core.events import on_commit, record
from parley.db.models import Message
from parley.membership.service import member_ids
from parley.messages.schemas import MessageOut
from parley.messages.views import message_views, per_viewer
from parley.previews import service
from parley.previews.fetch import PreviewError
from parley.previews.links import first_link

log = logging.getLogger("parley.previews")


def after_send(session: AsyncSession, ctx: Context, message: MessageOut) -> None:
    """In the send's unit of work: fetch the first link's preview once it has committed."""
    if not ctx.previews.enabled:
        return
    link = first_link(message.content)
    if link is not None:
        _fetch_on_commit(session, ctx, message.chat_id, message.id, link)


async def link_before_edit(session: AsyncSession, message_id: int, content: str) -> str | None:
    """The message's first link as it stands (asked before an edit that may have one)."""
    if first_link(content) is None:
        return None  # the edit has no link, so whatever was there goes: no need to know it
    before = await session.scalar(select(Message.content).where(Message.id == message_id))
    return first_link(before) if before else None


async def after_edit(
    session: AsyncSession, ctx: Context, message: MessageOut, link_before: str | None
) -> MessageOut:
    """In the edit's unit of work: a changed first link drops the old preview (the answer
    and the event show none) and fetches the new one once the edit has committed."""
    link = first_link(message.content)
    if link is not None and link == link_before:
        return message  # the same link: its preview (or the fetch under way) still holds
    if message.preview is not None:
        await service.forget(session, message.id)
        message = message.model_copy(update={"preview": None})
    if link is not None and ctx.previews.enabled:
        _fetch_on_commit(session, ctx, message.chat_id, message.id, link)
    return message


def _fetch_on_commit(
    session: AsyncSession, ctx: Context, chat_id: int, message_id: int, link: str
) -> None:
    on_commit(session, lambda: ctx.previews.spawn(lambda: refresh(ctx, chat_id, message_id, link)))


async def refresh(ctx: Context, chat_id: int, message_id: int, link: str) -> None:
    """Fetch ``link``'s preview; store and announce it if the message still shows that link."""
    try:
        preview = await ctx.previews.fetcher.preview(link)
    except PreviewError as exc:
        log.debug("no preview for message %d: %s", message_id, exc)
        return

    async def job(session: AsyncSession, shared: bool) -> None:
        # Locked, so a delete or edit racing this one either comes first (and is seen
        # here) or waits until the preview is stored (and then removes it).
        message = await session.get(Message, message_id, with_for_update=True)
        if (
            message is None
            or message.chat_id != chat_id
            or message.deleted_at is not None
            or first_link(message.content) != link
        ):
            return  # deleted meanwhile, or edited to another link: nothing to show
        await service.store(session, message_id, preview)
        (out,) = await message_views(session, ctx.links, [message], None)
        recipients = await member_ids(session, chat_id)
        # Reactions' `me` differs by person: one event per distinct view.
        for view, audience in await per_viewer(session, out, recipients):
            record(session, MessageUpdated(chat_id=chat_id, message=view).to(audience))

    await ctx.units.write(job)
