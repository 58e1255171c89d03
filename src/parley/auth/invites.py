"""Invite links: made by an admin, spent by registrations, each use counted exactly."""

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from parley.core.errors import NotFound
from parley.db.models import Invite, InviteUse, User
from parley.db.types import utcnow


async def create(
    session: AsyncSession, created_by: int, max_uses: int | None, expires_in_hours: int
) -> Invite:
    invite = Invite(
        token=secrets.token_urlsafe(24),
        created_by=created_by,
        max_uses=max_uses,
        uses=0,
        expires_at=utcnow() + timedelta(hours=expires_in_hours),
    )
    session.add(invite)
    await session.flush()
    return invite


async def every(session: AsyncSession) -> tuple[Sequence[Invite], dict[int, list[User]]]:
    """All invites, newest first (revoked and expired ones too), and who joined with each."""
    invites = (await session.scalars(select(Invite).order_by(Invite.id.desc()))).all()
    joined: dict[int, list[User]] = defaultdict(list)
    rows = await session.execute(
        select(InviteUse.invite_id, User)
        .join(User, User.id == InviteUse.user_id)
        .order_by(InviteUse.created_at, User.id)
    )
    for invite_id, user in rows:
        joined[invite_id].append(user)
    return invites, joined


async def joined_with(session: AsyncSession, invite_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(InviteUse, InviteUse.user_id == User.id)
        .where(InviteUse.invite_id == invite_id)
        .order_by(InviteUse.created_at, User.id)
    )
    return list(rows.all())


async def revoke(session: AsyncSession, token: str) -> None:
    invite = await session.scalar(select(Invite).where(Invite.token == token))
    if invite is None:
        raise NotFound("no such invite")
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        await session.flush()


async def claim(session: AsyncSession, token: str) -> int | None:
    """Spend one use of a valid invite; its id, or None if it is unknown or used up.

    One conditional UPDATE decides: racing registrations on a one-use invite cannot both
    pass (the row lock serialises them on MariaDB, the write lock on SQLite), and the use
    is undone with the rest of the registration if that fails.
    """
    now = utcnow()
    valid = (
        (Invite.token == token)
        & Invite.revoked_at.is_(None)
        & (Invite.expires_at > now)
        & or_(Invite.max_uses.is_(None), Invite.uses < Invite.max_uses)
    )
    result = await session.execute(
        update(Invite)
        .where(valid)
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        return None
    return await session.scalar(select(Invite.id).where(Invite.token == token))


async def record_use(session: AsyncSession, invite_id: int, user_id: int) -> None:
    session.add(InviteUse(invite_id=invite_id, user_id=user_id))
    await session.flush()
