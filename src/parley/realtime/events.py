"""Events are recorded on a unit of work and published only after it commits ("send on commit")."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

_PENDING = "parley.events"


@dataclass(frozen=True, slots=True)
class Event:
    """What a client receives (``payload``) and who receives it, fixed when it happened."""

    payload: dict[str, Any]
    recipients: frozenset[int]
    chat_id: int | None = None

    @property
    def type(self) -> str:
        return str(self.payload["type"])


def record(session: Any, event: Event) -> None:
    """Queue ``event`` on ``session`` (an AsyncSession or Session) until it commits."""
    session.info.setdefault(_PENDING, []).append(event)


def take_pending(session: Any) -> list[Event]:
    events: list[Event] = session.info.pop(_PENDING, [])
    return events


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session: Session, _previous: Any) -> None:
    # Whatever was queued described writes that no longer exist.
    session.info.pop(_PENDING, None)
