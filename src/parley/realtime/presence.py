"""Presence events: who sees someone come online or go offline."""

from sqlalchemy import select

from parley.db.models import ChatUser, User
from parley.db.types import utcnow
from parley.db.unit_of_work import unit_of_work
from parley.realtime.events import Event, record
from parley.state import AppState


async def announce(state: AppState, user_id: int, *, online: bool) -> None:
    """Tell the user and everyone who shares a chat with them; remember when they left."""
    async with unit_of_work(state) as session:
        shared = select(ChatUser.chat_id).where(ChatUser.user_id == user_id)
        contacts = await session.scalars(
            select(ChatUser.user_id).where(ChatUser.chat_id.in_(shared)).distinct()
        )
        recipients = frozenset(contacts.all()) | {user_id}
        payload: dict[str, object] = {"type": "presence", "user_id": user_id, "online": online}
        if not online:
            user = await session.get(User, user_id)
            if user is not None:
                user.last_seen_at = utcnow()
                payload["last_seen_at"] = user.last_seen_at.isoformat()
        record(session, Event(payload, recipients))
