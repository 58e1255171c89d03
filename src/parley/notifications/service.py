"""Notification settings: a member's per-chat view and a person's account-wide settings."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import NotFound
from parley.db.models import ChatUser, User
from parley.db.types import utcnow
from parley.notifications.rules import NOTIFY_VALUES, Notify, QuietHours, Recipient
from parley.notifications.schemas import ChatSettingsIn, NotificationSettingsIn

CHAT_NOT_FOUND = "chat not found"


async def set_chat_settings(
    session: AsyncSession, me_id: int, chat_id: int, data: ChatSettingsIn
) -> ChatUser:
    """Change my own view of a chat; 404 when I am not in it (as for everything of a chat)."""
    membership = await session.get(ChatUser, (chat_id, me_id))
    if membership is None:
        raise NotFound(CHAT_NOT_FOUND)
    if "notify" in data.model_fields_set and data.notify is not None:
        membership.notify = data.notify
    if "muted_until" in data.model_fields_set:
        until = data.muted_until
        # A mute that has already ended is no mute: stored as none, shown as null.
        membership.muted_until = until if until is not None and until > utcnow() else None
    await session.flush()
    return membership


async def set_account_settings(
    session: AsyncSession, me: User, data: NotificationSettingsIn
) -> User:
    fields = data.model_fields_set
    if "quiet_hours" in fields:
        quiet = data.quiet_hours
        if quiet is None:
            me.quiet_start = me.quiet_end = me.quiet_zone = None
        else:
            me.quiet_start = _minutes(quiet.start)
            me.quiet_end = _minutes(quiet.end)
            me.quiet_zone = quiet.time_zone
    if "allowed_user_ids" in fields and data.allowed_user_ids is not None:
        wanted = sorted(set(data.allowed_user_ids))
        if wanted:
            found = set((await session.scalars(select(User.id).where(User.id.in_(wanted)))).all())
            if missing := set(wanted) - found:
                raise NotFound(f"user {min(missing)} not found")
        me.quiet_allowed = wanted
    if "push_previews" in fields and data.push_previews is not None:
        me.push_previews = data.push_previews
    await session.flush()
    return me


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def quiet_hours_of(start: int | None, end: int | None, zone: str | None) -> QuietHours | None:
    if start is None or end is None or zone is None:
        return None
    return QuietHours(start, end, zone)


async def recipients_settings(
    session: AsyncSession, chat_id: int, user_ids: set[int]
) -> list[tuple[Recipient, bool]]:
    """Each user's settings for the chat (one query), with their push_previews choice."""
    if not user_ids:
        return []
    rows = await session.execute(
        select(
            ChatUser.user_id,
            ChatUser.notify,
            ChatUser.muted_until,
            User.quiet_start,
            User.quiet_end,
            User.quiet_zone,
            User.quiet_allowed,
            User.push_previews,
        )
        .join(User, User.id == ChatUser.user_id)
        .where(ChatUser.chat_id == chat_id, ChatUser.user_id.in_(sorted(user_ids)))
    )
    out = []
    for user_id, notify, muted, start, end, zone, allowed, previews in rows.all():
        recipient = Recipient(
            user_id=user_id,
            notify=_notify(notify),
            muted_until=muted,
            quiet=quiet_hours_of(start, end, zone),
            allowed=frozenset(allowed or ()),
        )
        out.append((recipient, bool(previews)))
    return out


def _notify(value: str) -> Notify:
    for known in NOTIFY_VALUES:
        if value == known:
            return known
    return "all"
