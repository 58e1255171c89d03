"""One unit of work: commit once on success, roll back on error, then publish its events.

Writes that queue in a lane share one: its writer takes every job waiting, runs them in
one transaction and commits once, so the price of a commit (an fsync on SQLite, round
trips on MariaDB) is paid once per batch instead of once per message. On SQLite every
concurrent send queues in one lane; elsewhere each socket has a lane of its own, which
keeps its sends in order without one waiting for the commit of the one before.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from parley.core.events import Event, take_on_commit, take_pending
from parley.db import write_lock

log = logging.getLogger("parley.db")
Publish = Callable[[Event], Awaitable[None]]
T = TypeVar("T")
# A write that may share its transaction: called with the session and whether it is shared
# (then it must raise rather than roll back: the others' writes are in the same transaction).
Job = Callable[[AsyncSession, bool], Awaitable[T]]
MAX_BATCH = 64
Deferred = Callable[[AsyncSession], Awaitable[None]]
_DEFERRED = "parley.deferred"


def defer(session: AsyncSession, key: Hashable, write: Deferred) -> None:
    """Make ``write`` just before ``session`` commits; a later one under ``key`` replaces it.

    For writes that every job of a batch would repeat on the same row (a chat's newest
    message, a sender's read marker): the batch makes only the last of each.
    """
    session.info.setdefault(_DEFERRED, {})[key] = write


async def _write_deferred(session: AsyncSession) -> None:
    writes: dict[Hashable, Deferred] = session.info.pop(_DEFERRED, {})
    for write in writes.values():
        await write(session)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, _previous: Any) -> None:
    # They belonged to writes that no longer exist.
    session.info.pop(_DEFERRED, None)


class Lane:
    """Jobs written in the order they were submitted, a batch at a time.

    No timer: a lone job is written at once, and under load the batches grow by
    themselves while the one before is being committed. A batch is one transaction; if
    any of its jobs fails, nothing of it is kept and each is written again alone.
    """

    def __init__(self, units: "UnitsOfWork") -> None:
        self._units = units
        self._waiting: list[tuple[Job[Any], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    def submit(self, job: Job[T]) -> Awaitable[T]:
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        return done

    async def _write_waiting(self) -> None:
        batch: list[tuple[Job[Any], asyncio.Future[Any]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                self._units.largest_batch = max(self._units.largest_batch, len(batch))
                if len(batch) == 1 or not await self._together(batch):
                    await self._one_by_one(batch)
        finally:
            self._writer = None
            # Anything unanswered here means the writer itself was cancelled (shutdown).
            for _, done in [*batch, *self._waiting]:
                if not done.done():
                    done.cancel()
            self._waiting = []

    async def _together(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]]) -> bool:
        """One transaction for the whole batch; False (nothing kept) if any job failed."""
        try:
            async with self._units.begin() as session:
                results = [await job(session, True) for job, _ in batch]
        except Exception as exc:  # a refused send, a repeat, an outage: each alone, below
            log.debug("batch of %d failed (%s); writing them one by one", len(batch), exc)
            return False
        for (_, done), result in zip(batch, results, strict=True):
            if not done.done():
                done.set_result(result)
        return True

    async def _one_by_one(self, batch: list[tuple[Job[Any], asyncio.Future[Any]]]) -> None:
        for job, done in batch:
            try:
                async with self._units.begin() as session:
                    result = await job(session, False)
            except Exception as exc:
                if not done.done():
                    done.set_exception(exc)
            else:
                if not done.done():
                    done.set_result(result)


class UnitsOfWork:
    """Opens units of work on one database; events go to ``publish`` after each commit."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        publish: Publish,
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self._publish = publish
        # Set on SQLite only: see parley.db.write_lock.
        self._write_lock = write_lock
        # SQLite has one writer at a time, so every submitted write shares one lane.
        self._shared = Lane(self) if write_lock is not None else None
        self.largest_batch = 0  # reported by the benchmarks

    async def write(self, job: Job[T], within: AsyncSession | None = None) -> T:
        """Run ``job`` and commit it; return once its data is durable and events are out.

        On SQLite, concurrent jobs are written together (see the module's docstring).
        Elsewhere the job runs in ``within`` (the caller's unit, which commits it) or in a
        unit of its own: MySQL/MariaDB lock rows and group their own commits.
        """
        if self._shared is None:
            if within is not None:
                return await job(within, False)
            async with self.begin() as session:
                return await job(session, False)
        if within is not None and within.in_transaction():
            # Hand the caller's pooled connection back while it waits (it has only read):
            # with every request holding one, the writer could wait for a connection forever.
            await within.commit()
        return await self._shared.submit(job)

    def lane(self) -> Lane:
        """Where one client's writes queue to keep their order (a socket's sends).

        On SQLite that is the one shared lane. Elsewhere each client gets a lane of its
        own: its waiting writes share a transaction, while other clients' run beside it.
        """
        return self._shared or Lane(self)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            write_lock.guard(session, self._write_lock)
            try:
                yield session
                await _write_deferred(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                write_lock.release(session)
            events = take_pending(session)
            after = take_on_commit(session)
        # Only now is every event true: published after the data is durable.
        for event in events:
            await self._publish(event)
        for callback in after:
            callback()
