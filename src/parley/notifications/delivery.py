"""A message's pushes, in the push process: who wants to hear, what they get, the log.

For each job (a message and its members who hold no live socket, as the node found them):
read those people's subscriptions (nobody subscribed ends it there) and their settings,
build each one's payload, post them (`parley.notifications.sender`), forget what the push
service has forgotten (404/410), and note every device's answer in its delivery log.
All of it runs in the push process, on its own engine: a node's loop only hands it jobs.
"""

import asyncio
import contextlib
import logging
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.db.models import Chat, Message, User
from parley.db.types import utcnow
from parley.notifications import subscriptions
from parley.notifications.rules import should_notify
from parley.notifications.sender import Outgoing, Poster
from parley.notifications.service import recipients_settings
from parley.notifications.webpush import Vapid
from parley.notifications.worker import PushJob

log = logging.getLogger("parley.push")
TEXT_LIMIT = 500  # characters of a message a push may carry (payloads are ~4 KB at most)
GONE = (404, 410)  # RFC 8030 §7.3: the subscription has expired or been removed

# One delivery log line: (subscription, message, status, error).
Entry = tuple[int, int | None, int | None, str | None]


class Delivery:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], vapid: Vapid, poster: Poster
    ) -> None:
        self.sessions = sessions
        self.vapid = vapid
        self.poster = poster
        self.log = DeliveryLog(sessions)
        self._reading = asyncio.Lock()

    async def deliver(self, job: PushJob) -> Counter[str]:
        """Push ``job`` to its recipients' devices; how many pushes ended how."""
        # One job's recipients read at a time, and only once the pushes before it are
        # under way: a burst of sends to a big group used to have every job's reads (a
        # few hundred rows each) on the database at once, beside the sends themselves
        # (on MariaDB the send p99 was 1.6x with push on; bench/push_bench.py).
        async with self._reading:
            await self.poster.room()
            async with self.sessions() as session:
                subs = await subscriptions.of_users(session, job.recipients)
                if not subs:
                    return Counter()
                payloads = await payloads_for(session, job, {sub.user_id for sub in subs})
        targets = [
            Outgoing(sub.id, sub.endpoint, sub.p256dh, sub.auth, payloads[sub.user_id])
            for sub in subs
            if sub.user_id in payloads
        ]
        if not targets:
            return Counter()
        topic = f"chat-{job.chat_id}" if job.message_id is not None else "parley-test"
        results = await self.poster.push(self.vapid, targets, topic)
        gone = [
            t.subscription_id
            for t, (status, _) in zip(targets, results, strict=True)
            if status in GONE
        ]
        entries = [
            (t.subscription_id, job.message_id, status, error)
            for t, (status, error) in zip(targets, results, strict=True)
            if status not in GONE
        ]
        await self.log.write(gone, entries)
        return Counter(outcome(status) for status, _ in results)

    async def close(self) -> None:
        await self.log.close()
        await self.poster.close()


def outcome(status: int | None) -> str:
    if status is None:
        return "failed"
    if status in GONE:
        return "gone"
    return "accepted" if 200 <= status < 300 else "refused"


class DeliveryLog:
    """Writes the outcomes of many messages' pushes in one transaction (a group commit).

    A message to a group of 200 is 200 log lines. Written per message, or even five times
    a second, these commits took SQLite's one writer often enough from the node's sends
    that their p99 grew by a fifth (bench/push_bench.py). Here a write waits for the batch
    under way: when pushes are rare each one's lines go at once, under load they go
    together, once a second. ``write`` returns once its lines are committed.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], pause: float = 1.0) -> None:
        self.sessions = sessions
        self.pause = pause  # between batches: the next one gathers meanwhile
        self._batch: list[tuple[list[int], list[Entry], asyncio.Future[None]]] = []
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def write(self, gone: list[int], entries: list[Entry]) -> None:
        if not gone and not entries:
            return
        done = asyncio.get_running_loop().create_future()
        self._batch.append((gone, entries, done))
        self._ready.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(), name="push-delivery-log")
        await done

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

    async def _write_batches(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            batch, self._batch = self._batch, []
            try:
                async with self.sessions.begin() as session:
                    await subscriptions.forget(session, [i for gone, _, _ in batch for i in gone])
                    await subscriptions.log_deliveries(
                        session, [e for _, entries, _ in batch for e in entries]
                    )
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)
            await asyncio.sleep(self.pause)


async def payloads_for(
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
