"""What a server's administrators do to accounts, and what they see of the server."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import server
from parley.auth import sessions as auth_sessions
from parley.core.errors import Conflict
from parley.db.models import Attachment, AuthSession, Chat, Message, User
from parley.db.types import utcnow
from parley.users.service import get, like_escape

LAST_ADMIN = "this is the server's last active administrator: make someone else admin first"


@dataclass(frozen=True)
class AccountRow:
    user: User
    active_sessions: int
    last_seen_at: datetime | None


async def accounts(session: AsyncSession, query: str, limit: int = 200) -> list[AccountRow]:
    """Accounts whose username, display name or e-mail contains ``query``; newest first."""
    statement = select(User).order_by(User.id.desc()).limit(limit)
    needle = like_escape(query.strip().lower())
    if needle:
        anywhere = f"%{needle}%"
        statement = statement.where(
            User.username_key.like(anywhere, escape="\\")
            | User.display_name_key.like(anywhere, escape="\\")
            | User.email_key.like(anywhere, escape="\\")
        )
    users = (await session.scalars(statement)).all()
    ids = [user.id for user in users]
    counts: dict[int, tuple[int, datetime | None]] = {}
    if ids:
        rows = await session.execute(
            select(AuthSession.user_id, func.count(), func.max(AuthSession.last_active_at))
            .where(
                AuthSession.user_id.in_(ids),
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .group_by(AuthSession.user_id)
        )
        counts = {user_id: (int(n), last) for user_id, n, last in rows}
    result = []
    for user in users:
        n, active_at = counts.get(user.id, (0, None))
        # Last seen: a socket's goodbye (users.last_seen_at) or a session's last request.
        seen = [t for t in (user.last_seen_at, active_at) if t is not None]
        result.append(AccountRow(user, n, max(seen) if seen else None))
    return result


async def _active_admins(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).where(User.is_admin == true(), User.is_active == true())
    )
    return int(count or 0)


async def set_admin(session: AsyncSession, user_id: int, is_admin: bool) -> User:
    await server.lock(session)  # two admins demoting each other at once: one waits
    user = await get(session, user_id)
    if not is_admin and user.is_admin and user.is_active and await _active_admins(session) <= 1:
        raise Conflict(LAST_ADMIN)
    user.is_admin = is_admin
    await session.flush()
    return user


async def set_active(session: AsyncSession, user_id: int, active: bool) -> list[int]:
    """(De)activate an account; deactivation ends its sessions (their ids are returned)."""
    await server.lock(session)
    user = await get(session, user_id)
    if not active and user.is_admin and user.is_active and await _active_admins(session) <= 1:
        raise Conflict(LAST_ADMIN)
    user.is_active = active
    await session.flush()
    if active:
        return []
    return await auth_sessions.revoke_all(session, user.id)


async def promote_by_name(session: AsyncSession, username: str) -> User | None:
    """For `parley admin promote`: the account made admin, or None if there is none."""
    user = await session.scalar(select(User).where(User.username_key == username.lower()))
    if user is not None:
        user.is_admin = True
        await session.flush()
    return user


@dataclass(frozen=True)
class Stats:
    users: int
    active_users: int
    admins: int
    chats: int
    messages: int
    attachments: int
    attachment_bytes: int


async def stats(session: AsyncSession) -> Stats:
    def count(*where: ColumnElement[bool]) -> Select[int]:
        return select(func.count()).select_from(User).where(*where)

    users = await session.scalar(count())
    active = await session.scalar(count(User.is_active == true()))
    admins = await session.scalar(count(User.is_active == true(), User.is_admin == true()))
    chats = await session.scalar(select(func.count()).select_from(Chat))
    messages = await session.scalar(
        select(func.count()).select_from(Message).where(Message.deleted_at.is_(None))
    )
    files = (
        await session.execute(select(func.count(), func.coalesce(func.sum(Attachment.size), 0)))
    ).one()
    return Stats(
        users=int(users or 0),
        active_users=int(active or 0),
        admins=int(admins or 0),
        chats=int(chats or 0),
        messages=int(messages or 0),
        attachments=int(files[0]),
        attachment_bytes=int(files[1]),
    )
