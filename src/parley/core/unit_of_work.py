"""One unit of work: commit once on success, roll back on error, then publish its events."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.core.events import Event, take_pending
from parley.db import write_lock

Publish = Callable[[Event], Awaitable[None]]


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

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            write_lock.guard(session, self._write_lock)
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                write_lock.release(session)
            events = take_pending(session)
        # Only now is every event true: published after the data is durable.
        for event in events:
            await self._publish(event)
