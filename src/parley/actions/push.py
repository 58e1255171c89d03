"""Web Push around sends: queued after the commit, decided and delivered by the worker.

The send path only puts (chat, message, sender, members) on the node's push queue once
its unit has committed: no statement, no wait, nothing when push is off. The worker
(`parley.notifications.worker`) then, for each message: drops whoever holds a live socket
on any node (presence, asked of the broker), reads the others' subscriptions (one query;
nobody subscribed ends it there), applies each person's settings
(`parley.notifications.rules`), and hands the payloads to the sender
(`parley.notifications.sender`, a thread with its own loop), which encrypts and posts one
to each device, retrying with backoff; each device's answer goes in its delivery log.
A push service that answers 404 or 410 has forgotten the subscription: so do we.
"""

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.auth import service as auth_service
from parley.core.errors import NotFound
from parley.core.events import on_commit
from parley.db.models import AuthSession, Chat, Message, User
from parley.db.types import utcnow
from parley.messages.schemas import MessageOut
from parley.notifications import subscriptions
from parley.notifications.rules import should_notify
from parley.notifications.schemas import SubscriptionIn, SubscriptionOut
from parley.notifications.sender import Outgoing
from parley.notifications.service import recipients_settings
from parley.notifications.worker import PushJob
from parley.observability import metrics

log = logging.getLogger("parley.push")
PUSH_OFF = "Web Push is not configured on this server"
TEXT_LIMIT = 500  # characters of a message a push may carry (payloads are ~4 KB at most)
GONE = (404, 410)  # RFC 8030 §7.3: the subscription has expired or been removed


def after_send(
    session: AsyncSession, ctx: Context, message: MessageOut, recipients: frozenset[int]
) -> None:
    """In the send's unit of work: queue the push once it has committed (no statement).

    Who the message addresses (mentions, and the sender of the message it replies to)
    comes with it, for the people whose chats notify only of those.
    """
    if not ctx.push.enabled:
        return
    replied_to = message.reply_to.sender_id if message.reply_to is not None else None
    job = PushJob(
        message.chat_id,
        message.id,
        message.sender_id,
        recipients,
        mentioned=frozenset(message.mentions),
        replied_to=replied_to,
    )
    on_commit(session, lambda: ctx.push.offer(job))


async def deliver(ctx: Context, job: PushJob) -> None:
    """The worker's part: who is offline, subscribed and willing; then push to them."""
    vapid = ctx.vapid
    if vapid is None:
        return
    candidates = job.recipients - {job.sender_id} if job.sender_id else job.recipients
    if job.message_id is not None:  # a test notification goes out whatever the presence
        candidates = candidates - await ctx.online_among(candidates)
    if not candidates:
        return
    async with ctx.units.begin() as session:
        subs = await subscriptions.of_users(session, candidates)
        if not subs:
            return
        payloads = await _payloads(session, job, {sub.user_id for sub in subs})
        targets = [
            Outgoing(sub.id, sub.endpoint, sub.p256dh, sub.auth, payloads[sub.user_id])
            for sub in subs
            if sub.user_id in payloads
        ]
    if not targets:
        return
    topic = f"chat-{job.chat_id}" if job.message_id is not None else "parley-test"
    # Encrypting and posting run on the sender's own thread and loop (parley.notifications
    # .sender): this loop only waits for the outcomes.
    results = await ctx.push_sender.push(vapid, targets, topic)
    gone = [
        t.subscription_id for t, (status, _) in zip(targets, results, strict=True) if status in GONE
    ]
    entries = [
        (t.subscription_id, job.message_id, status, error)
        for t, (status, error) in zip(targets, results, strict=True)
        if status not in GONE
    ]
    for status, _ in results:
        metrics.push_outcome(_outcome(status))
    async with ctx.units.begin() as session:
        await subscriptions.forget(session, gone)
        await subscriptions.log_deliveries(session, entries)


def _outcome(status: int | None) -> str:
    if status is None:
        return "failed"
    if status in GONE:
        return "gone"
    return "accepted" if 200 <= status < 300 else "refused"


async def _payloads(
    session: AsyncSession, job: PushJob, user_ids: set[int]
) -> dict[int, dict[str, Any]]:
    """What each of ``user_ids`` is to be sent; those whose settings say no are left out."""
    if job.message_id is None:
        rows = await session.execute(select(User.id).where(User.id.in_(sorted(user_ids))))
        test = {
            "type": "test",
            "tag": "parley-test",
            "title": "Parley",
            "text": "Test notification: push works on this device.",
        }
        return {user_id: test for (user_id,) in rows.all()}
    row = (
        await session.execute(
            select(
                Message.content,
                Message.deleted_at,
                Chat.title,
                Chat.is_group,
                User.display_name,
            )
            .join(Chat, Chat.id == Message.chat_id)
            .join(User, User.id == Message.sender_id)
            .where(Message.id == job.message_id, Message.chat_id == job.chat_id)
        )
    ).first()
    if row is None or row.deleted_at is not None:
        return {}  # deleted before its push went out: nothing to announce
    now = utcnow()
    sender_id = job.sender_id or 0
    out: dict[int, dict[str, Any]] = {}
    for recipient, previews in await recipients_settings(session, job.chat_id, user_ids):
        addressed_by_mention = recipient.user_id in job.mentioned
        replied = job.replied_to is not None and job.replied_to == recipient.user_id
        if not should_notify(
            recipient, sender_id, now, mentions_me=addressed_by_mention, replies_to_me=replied
        ):
            continue
        payload: dict[str, Any] = {
            "type": "message",
            "tag": f"chat-{job.chat_id}",  # a read on any device withdraws it by this tag
            "chat_id": job.chat_id,
            # A direct chat is named after the other person: here, the sender.
            "chat_name": row.title if row.is_group and row.title else row.display_name,
            "sender_name": row.display_name,
            "message_id": job.message_id,
        }
        if previews and row.content:
            payload["text"] = row.content[:TEXT_LIMIT]
        out[recipient.user_id] = payload
    return out


# --- subscriptions ------------------------------------------------------------------------


def public_key(ctx: Context) -> str:
    if ctx.vapid is None:
        raise NotFound(PUSH_OFF)
    return ctx.vapid.public_key


async def subscribe(
    session: AsyncSession, ctx: Context, me: User, auth_session: AuthSession, data: SubscriptionIn
) -> bool:
    """Register this device; True when new (201), False when already known (200)."""
    if ctx.vapid is None:
        raise NotFound(PUSH_OFF)
    _, created = await subscriptions.subscribe(
        session,
        me.id,
        auth_session.id,
        data,
        ctx.settings.push_unsafe_allow_http_loopback_for_tests,
    )
    return created


async def unsubscribe(session: AsyncSession, me: User, endpoint: str) -> None:
    await subscriptions.unsubscribe(session, me.id, endpoint)


async def devices(session: AsyncSession, me: User) -> list[SubscriptionOut]:
    return await subscriptions.devices(session, me.id)


async def test(session: AsyncSession, ctx: Context, me: User) -> int:
    """Queue a test notification to each of my devices, once this unit has committed."""
    if ctx.vapid is None:
        raise NotFound(PUSH_OFF)
    count = len(await subscriptions.of_users(session, {me.id}))
    if count:
        job = PushJob(chat_id=0, message_id=None, sender_id=None, recipients=frozenset({me.id}))
        on_commit(session, lambda: ctx.push.offer(job))
    return count


async def sign_out(session: AsyncSession, auth_session: AuthSession) -> None:
    """End a sign-in; the devices it registered for push stop receiving them."""
    await auth_service.logout(session, auth_session)
    await subscriptions.forget_session(session, auth_session.id)
