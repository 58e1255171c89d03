"""The node's push worker: a bounded queue of messages to push, drained in the background.

A send only puts (message, chat, sender, recipients) on the queue once it has committed,
with no statement of its own; everything else happens after the send has been answered:
here, who is offline; in the push process (`parley.notifications.process`), who has a
subscription, who wants to hear, encrypting, posting and the delivery log.
The queue is bounded: when push services fall far behind, further pushes are dropped
(and counted) rather than growing memory without end. A few jobs run at once, so one
slow push service delays only its own pushes.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from parley.observability import metrics

log = logging.getLogger("parley.push")


@dataclass(frozen=True, slots=True)
class PushJob:
    """One message to push to whichever of ``recipients`` should hear of it."""

    chat_id: int
    message_id: int | None  # None: a test notification
    sender_id: int | None
    recipients: frozenset[int]
    # Whom the message addresses: mentioned members, and the author of what it answers.
    mentioned: frozenset[int] = field(default_factory=frozenset)
    replied_to: int | None = None


Deliver = Callable[[PushJob], Awaitable[None]]


class PushWorker:
    def __init__(self, *, enabled: bool, queue: int = 10_000, concurrency: int = 8) -> None:
        self.enabled = enabled
        self._queue: asyncio.Queue[PushJob] = asyncio.Queue(maxsize=queue)
        self._concurrency = concurrency
        self._tasks: list[asyncio.Task[None]] = []
        self.dropped = 0
        self.done = 0

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def offer(self, job: PushJob) -> bool:
        """Queue ``job`` without waiting; False (dropped) when the queue is full or off."""
        if not self.enabled:
            return False
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            self.dropped += 1
            metrics.push_outcome("dropped")
            log.warning("push queue full (%d waiting): a push was dropped", self._queue.qsize())
            return False
        return True

    def start(self, deliver: Deliver) -> None:
        if not self.enabled or self._tasks:
            return
        self._tasks = [
            asyncio.create_task(self._drain(deliver), name=f"push-worker-{n}")
            for n in range(self._concurrency)
        ]

    async def _drain(self, deliver: Deliver) -> None:
        while True:
            job = await self._queue.get()
            try:
                await deliver(job)
            except asyncio.CancelledError:
                raise
            except Exception:  # one failed push must not stop the others
                log.warning("push for message %s failed", job.message_id, exc_info=True)
            finally:
                self.done += 1
                self._queue.task_done()

    async def idle(self) -> None:
        """Wait until every queued job has been handled (tests, benchmarks)."""
        await self._queue.join()

    async def close(self) -> None:
        """Stop at shutdown: what is still queued is dropped (a push is best-effort)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
