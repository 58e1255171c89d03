"""The envelope every server → client event travels in, and "send on commit".

An event is recorded on the unit of work that caused it and published only after that
unit commits; a rollback drops it. What the event says is built by the catalogue
(`parley.actions.events`), encoded once into ``frame``; this layer only carries it.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

_PENDING = "parley.events"
_ON_COMMIT = "parley.on_commit"


@dataclass(frozen=True, slots=True)
class Event:
    """One event: its JSON ``frame`` (written as is to every socket) and who receives it."""

    type: str
    frame: str
    recipients: frozenset[int]
    chat_id: int | None = None  # per-chat sockets get only their chat's events
    message_id: int | None = None  # message.new: what a `since` replay may already have sent


# Not a client event: every node's hub closes the named sessions' sockets (4401) instead
# of writing it anywhere. It travels the broker like any event, so it reaches every node,
# and is recorded on the unit of work, so it goes out only once the revocation commits.
CLOSE_SESSIONS = "parley.close_sessions"


def close_sessions(user_id: int, session_ids: Iterable[int] | None) -> Event:
    """Close the user's sockets of these auth sessions (None: every socket of the user)."""
    ids = None if session_ids is None else sorted(set(session_ids))
    frame = json.dumps({"type": CLOSE_SESSIONS, "sessions": ids}, separators=(",", ":"))
    return Event(CLOSE_SESSIONS, frame, frozenset({user_id}))


def record(session: Any, event: Event) -> None:
    """Queue ``event`` on ``session`` (an AsyncSession or Session) until it commits."""
    session.info.setdefault(_PENDING, []).append(event)


def take_pending(session: Any) -> list[Event]:
    events: list[Event] = session.info.pop(_PENDING, [])
    return events


def on_commit(session: Any, callback: Callable[[], object]) -> None:
    """Call ``callback`` once ``session``'s unit has committed (after its events are out).

    For work that must see the unit's writes and must not hold it up: the callback only
    starts that work (a background task), it does not wait for it.
    """
    session.info.setdefault(_ON_COMMIT, []).append(callback)


def take_on_commit(session: Any) -> list[Callable[[], object]]:
    callbacks: list[Callable[[], object]] = session.info.pop(_ON_COMMIT, [])
    return callbacks


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, _previous: Any) -> None:
    # Whatever was queued described writes that no longer exist.
    session.info.pop(_PENDING, None)
    session.info.pop(_ON_COMMIT, None)
