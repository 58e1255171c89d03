"""Sessions as people see them ("my devices"), ending them, and one-time reset links."""

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import security
from parley.auth.schemas import Issued
from parley.auth.security import Passwords
from parley.core.errors import DomainError, NotFound
from parley.db.models import AuthSession, ResetToken, User
from parley.db.types import utcnow

RESET_LIFETIME = timedelta(hours=24)
BAD_RESET = "this reset link is unknown, already used or expired: ask for a new one"


def _live(user_id: int) -> ColumnElement[bool]:
    return (
        (AuthSession.user_id == user_id)
        & AuthSession.revoked_at.is_(None)
        & (AuthSession.expires_at > utcnow())
    )


async def live(session: AsyncSession, user_id: int) -> Sequence[AuthSession]:
    """The user's sessions that still work, most recently active first."""
    active = func.coalesce(AuthSession.last_active_at, AuthSession.created_at)
    rows = await session.scalars(
        select(AuthSession).where(_live(user_id)).order_by(active.desc(), AuthSession.id.desc())
    )
    return rows.all()


async def revoke(session: AsyncSession, user_id: int, session_id: int) -> None:
    """End one of the user's own sessions; anyone else's (or none) is 404."""
    target = await session.get(AuthSession, session_id)
    if target is None or target.user_id != user_id:
        raise NotFound("no such session")
    if target.revoked_at is None:
        target.revoked_at = utcnow()
        await session.flush()


async def revoke_all(session: AsyncSession, user_id: int, keep: int | None = None) -> list[int]:
    """End every live session of the user (but ``keep``); the ids ended."""
    condition = _live(user_id)
    if keep is not None:
        condition = condition & (AuthSession.id != keep)
    ids = list((await session.scalars(select(AuthSession.id).where(condition))).all())
    if ids:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id.in_(ids), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids


async def issue_reset(session: AsyncSession, user_id: int) -> Issued:
    """A one-time password-reset token for the user; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + RESET_LIFETIME
    session.add(
        ResetToken(user_id=user_id, token_hash=security.token_digest(token), expires_at=expires_at)
    )
    await session.flush()
    return Issued(token=token, expires_at=expires_at)


async def redeem_reset(
    session: AsyncSession, passwords: Passwords, token: str, password: str
) -> int:
    """Spend a reset token on a new password; the user's id. 400 once spent or expired.

    A conditional UPDATE spends it, so two uses racing cannot both succeed.
    """
    digest = security.token_digest(token)
    valid = (
        (ResetToken.token_hash == digest)
        & ResetToken.used_at.is_(None)
        & (ResetToken.expires_at > utcnow())
    )
    user_id = await session.scalar(select(ResetToken.user_id).where(valid))
    if user_id is None:
        raise DomainError(BAD_RESET)  # before hashing: a wrong guess costs us nothing
    password_hash = await passwords.hash(password)
    result = await session.execute(
        update(ResetToken)
        .where(valid)
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise DomainError(BAD_RESET)  # spent by a racing request meanwhile
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash)
        .execution_options(synchronize_session=False)
    )
    return int(user_id)
