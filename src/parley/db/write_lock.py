"""On SQLite, units of work that write take turns in this process instead of in SQLite.

SQLite allows one writer; a second one waits in SQLite's busy handler, which sleeps in
steps of up to 100 ms, so under concurrent sends latency jumps to seconds. An asyncio lock
taken at a unit's first write queues writers without sleeping; readers never take it.
MySQL/MariaDB lock rows themselves and get no lock here.
"""

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.util import await_only

_LOCK = "parley.write_lock"
_HELD = "parley.write_lock_held"


def guard(session: Any, lock: asyncio.Lock | None) -> None:
    """Make ``session`` (an AsyncSession) take ``lock`` before it first writes."""
    if lock is not None:
        session.info[_LOCK] = lock


def release(session: Any) -> None:
    """Let the next writer in; called once the unit has committed or rolled back."""
    if session.info.pop(_HELD, False):
        session.info[_LOCK].release()


def _take(session: Session) -> None:
    lock: asyncio.Lock | None = session.info.get(_LOCK)
    if lock is not None and not session.info.get(_HELD):
        # Flushes run in SQLAlchemy's greenlet bridge, which can wait on a coroutine.
        await_only(lock.acquire())
        session.info[_HELD] = True


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _take(session)


@event.listens_for(Session, "do_orm_execute")
def _before_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _take(state.session)
