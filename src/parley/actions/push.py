"""Web Push around sends: queued after the commit, decided and delivered by the worker.

The send path only puts (chat, message, sender, members) on the node's push queue once
its unit has committed: no statement, no wait, nothing when push is off. The worker
(`parley.notifications.worker`) then, for each message, drops whoever holds a live socket
on any node (presence, asked of the broker) and hands the rest to the push process
(`parley.notifications.process`), which reads their subscriptions and settings
(`parley.notifications.rules`), encrypts and posts one push to each device with retries,
and notes each device's answer in its delivery log (`parley.notifications.delivery`).
"""

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.auth import service as auth_service
from parley.core.errors import NotFound
from parley.core.events import on_commit
from parley.db.models import AuthSession, User
from parley.messages.schemas import MessageOut
from parley.notifications import subscriptions
from parley.notifications.schemas import SubscriptionIn, SubscriptionOut
from parley.notifications.worker import PushJob
from parley.observability import metrics

PUSH_OFF = "Web Push is not configured on this server"


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
    """The worker's part on the node: who is offline; the push process does the rest."""
    if ctx.vapid is None:
        return
    candidates = job.recipients - {job.sender_id} if job.sender_id else job.recipients
    if job.message_id is not None:  # a test notification goes out whatever the presence
        candidates = candidates - await ctx.online_among(candidates)
    if not candidates:
        return
    outcomes = await ctx.push_process.deliver(replace(job, recipients=frozenset(candidates)))
    for outcome, count in outcomes.items():
        metrics.push_outcome(outcome, count)


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
