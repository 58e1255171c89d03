"""Web Push subscriptions: one per endpoint (device), and each one's recent deliveries."""

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import Row, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import InvalidInput
from parley.db.models import PushDelivery, PushSubscription
from parley.notifications.schemas import DeliveryOut, SubscriptionIn, SubscriptionOut
from parley.notifications.webpush import endpoint_problem

KEPT_DELIVERIES = 20  # per device: enough to see why the last pushes did or did not arrive


def endpoint_key(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


async def subscribe(
    session: AsyncSession,
    user_id: int,
    session_id: int | None,
    data: SubscriptionIn,
    allow_http_loopback: bool,
) -> tuple[PushSubscription, bool]:
    """Register (or refresh) a device's subscription; True when it is new for this user.

    An endpoint belongs to one browser profile: registered again by whoever signed in
    there last, it moves to them (the previous person stops receiving pushes on it).
    """
    if problem := endpoint_problem(data.endpoint, allow_http_loopback):
        raise InvalidInput(("body", "endpoint"), problem)
    key = endpoint_key(data.endpoint)
    found = await session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint_key == key)
    )
    if found is None:
        found = PushSubscription(user_id=user_id, endpoint=data.endpoint, endpoint_key=key)
        session.add(found)
        created = True
    else:
        created = found.user_id != user_id
        if created:
            await session.execute(
                delete(PushDelivery).where(PushDelivery.subscription_id == found.id)
            )
        found.user_id = user_id
    found.session_id = session_id
    found.p256dh = data.keys.p256dh
    found.auth = data.keys.auth
    if data.device is not None or created:
        found.device = data.device
    try:
        await session.flush()
    except IntegrityError:
        # The same endpoint registered by a request racing this one: it is known now.
        await session.rollback()
        return await subscribe(session, user_id, session_id, data, allow_http_loopback)
    return found, created


async def unsubscribe(session: AsyncSession, user_id: int, endpoint: str) -> None:
    """Forget my subscription at ``endpoint`` (nothing to do if there is none)."""
    await session.execute(
        delete(PushSubscription).where(
            PushSubscription.endpoint_key == endpoint_key(endpoint),
            PushSubscription.user_id == user_id,
        )
    )


async def forget_session(session: AsyncSession, session_id: int) -> None:
    """Signing out: the devices this sign-in registered stop receiving pushes."""
    await session.execute(delete(PushSubscription).where(PushSubscription.session_id == session_id))


async def forget(session: AsyncSession, subscription_ids: Iterable[int]) -> None:
    ids = sorted(set(subscription_ids))
    if ids:
        await session.execute(delete(PushSubscription).where(PushSubscription.id.in_(ids)))


async def of_users(
    session: AsyncSession, user_ids: Iterable[int]
) -> Sequence[Row[int, int, str, str, str]]:
    """(id, user_id, endpoint, p256dh, auth) of these users' devices: plain rows, no
    objects, as the push process reads one per member of a group for each message."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = await session.execute(
        select(
            PushSubscription.id,
            PushSubscription.user_id,
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
        )
        .where(PushSubscription.user_id.in_(ids))
        .order_by(PushSubscription.id)
    )
    return rows.all()


async def log_deliveries(
    session: AsyncSession, entries: Sequence[tuple[int, int | None, int | None, str | None]]
) -> None:
    """Note (subscription, message, status, error) attempts; keep the last few per device.

    Plain statements (a read, one insert for all, one delete), not ORM objects: a batch
    of messages to large groups logs a row per device and message.
    """
    if not entries:
        return
    existing = set(
        (
            await session.scalars(
                select(PushSubscription.id).where(
                    PushSubscription.id.in_(sorted({e[0] for e in entries}))
                )
            )
        ).all()
    )
    rows = [
        {
            "subscription_id": subscription_id,
            "message_id": message_id,
            "status": status,
            "error": error[:255] if error else None,
        }
        for subscription_id, message_id, status, error in entries
        if subscription_id in existing  # removed meanwhile (404/410, sign-out): no log
    ]
    if not rows:
        return
    await session.execute(insert(PushDelivery), rows)
    # Trim to the last few per device in one statement, ranked in the database: no rows
    # come back, and the writer's turn (on SQLite, the whole database's) stays short.
    ranked = (
        select(
            PushDelivery.id,
            func.row_number()
            .over(partition_by=PushDelivery.subscription_id, order_by=PushDelivery.id.desc())
            .label("newer"),
        )
        .where(PushDelivery.subscription_id.in_(sorted(existing)))
        .subquery()
    )
    await session.execute(
        delete(PushDelivery).where(
            PushDelivery.id.in_(select(ranked.c.id).where(ranked.c.newer > KEPT_DELIVERIES))
        )
    )


async def devices(session: AsyncSession, user_id: int) -> list[SubscriptionOut]:
    """My subscriptions with their recent deliveries, newest first (two queries)."""
    subs = (
        await session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.id)
        )
    ).all()
    if not subs:
        return []
    logs: dict[int, list[DeliveryOut]] = {sub.id: [] for sub in subs}
    rows = await session.scalars(
        select(PushDelivery)
        .where(PushDelivery.subscription_id.in_(logs))
        .order_by(PushDelivery.id.desc())
    )
    for row in rows:  # at most KEPT_DELIVERIES each: log_deliveries trims as it writes
        logs[row.subscription_id].append(DeliveryOut.model_validate(row))
    return [
        SubscriptionOut(
            id=sub.id,
            endpoint=sub.endpoint,
            device=sub.device,
            created_at=sub.created_at,
            deliveries=logs[sub.id],
        )
        for sub in subs
    ]
