"""Who is here and who is typing: told to the people who share a chat with them."""

from parley.actions.context import Context
from parley.actions.events import Presence, Typing
from parley.core.events import record
from parley.db.models import User
from parley.db.types import utcnow
from parley.membership.service import contacts, member_ids, require_member


async def announce(ctx: Context, user_id: int, *, online: bool) -> None:
    """Tell the user and everyone who shares a chat with them; remember when they left."""
    async with ctx.units.begin() as session:
        recipients = await contacts(session, user_id)
        last_seen_at = None
        if not online:
            user = await session.get(User, user_id)
            if user is not None:
                user.last_seen_at = last_seen_at = utcnow()
        event = Presence(user_id=user_id, online=online, last_seen_at=last_seen_at)
        record(session, event.to(recipients))


async def typing(ctx: Context, me: User, chat_id: int) -> None:
    """Nothing is stored; the unit of work only checks membership, then publishes."""
    async with ctx.units.begin() as session:
        await require_member(session, chat_id, me.id)
        others = await member_ids(session, chat_id) - {me.id}
        record(session, Typing(chat_id=chat_id, user_id=me.id).to(others))
