"""One unit of work: commit once on success, roll back on error, then publish its events."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from parley.db import write_lock
from parley.realtime.events import take_pending

if TYPE_CHECKING:
    from parley.state import AppState


@asynccontextmanager
async def unit_of_work(state: "AppState") -> AsyncIterator[AsyncSession]:
    async with state.sessionmaker() as session:
        write_lock.guard(session, state.write_lock)
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
        await state.broker.publish(event)
