"""Registration, sign-in, token rotation and sign-out."""

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import security
from parley.auth.schemas import RegisterIn, Token
from parley.config import Settings
from parley.db.models import AuthSession, User
from parley.db.types import utcnow
from parley.errors import Conflict, Unauthorized

BAD_CREDENTIALS = "incorrect username or password"
BAD_TOKEN = "invalid or expired token"


async def register(session: AsyncSession, settings: Settings, data: RegisterIn) -> User:
    username_key, email_key = data.username.lower(), str(data.email).lower()
    taken = (
        await session.execute(
            select(User.username_key, User.email_key).where(
                or_(User.username_key == username_key, User.email_key == email_key)
            )
        )
    ).all()
    if taken:
        _raise_taken(username_key, [row.username_key for row in taken])
    user = User(
        username=data.username,
        username_key=username_key,
        email=str(data.email),
        email_key=email_key,
        password_hash=await settings.passwords.hash(data.password),
        display_name=data.display_name or data.username,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        # Someone registered the same name between our check and our insert.
        await session.rollback()
        raise Conflict("username or email is already taken") from None
    return user


def _raise_taken(username_key: str, taken_usernames: list[str]) -> None:
    if username_key in taken_usernames:
        raise Conflict("username is already taken")
    raise Conflict("email is already registered")


async def login(session: AsyncSession, settings: Settings, name: str, password: str) -> Token:
    key = name.lower()
    user = await session.scalar(
        select(User).where(or_(User.username_key == key, User.email_key == key))
    )
    ok = await settings.passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok:
        raise Unauthorized(BAD_CREDENTIALS)
    return await _start_session(session, settings, user)


async def _start_session(session: AsyncSession, settings: Settings, user: User) -> Token:
    refresh = security.new_refresh_token()
    auth_session = AuthSession(
        user_id=user.id,
        refresh_hash=security.token_digest(refresh),
        refresh_expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
    )
    session.add(auth_session)
    await session.flush()
    return _token(settings, user.id, auth_session.id, refresh)


def _token(settings: Settings, user_id: int, session_id: int, refresh: str) -> Token:
    access = security.create_access_token(
        user_id, session_id, settings.signing_key, settings.access_token_minutes
    )
    return Token(
        access_token=access,
        expires_in=settings.access_token_minutes * 60,
        refresh_token=refresh,
    )


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> Token:
    digest = security.token_digest(refresh_token)
    auth_session = await session.scalar(
        select(AuthSession).where(AuthSession.refresh_hash == digest).with_for_update()
    )
    if auth_session is None:
        await _revoke_if_replayed(session, digest)
        raise Unauthorized(BAD_TOKEN)
    if auth_session.revoked_at is not None or auth_session.refresh_expires_at <= utcnow():
        raise Unauthorized(BAD_TOKEN)
    new_refresh = security.new_refresh_token()
    auth_session.previous_refresh_hash = digest
    auth_session.refresh_hash = security.token_digest(new_refresh)
    auth_session.refresh_expires_at = utcnow() + timedelta(days=settings.refresh_token_days)
    await session.flush()
    return _token(settings, auth_session.user_id, auth_session.id, new_refresh)


async def _revoke_if_replayed(session: AsyncSession, digest: str) -> None:
    """A spent refresh token used again was copied: end that whole session."""
    stolen = await session.scalar(
        select(AuthSession).where(AuthSession.previous_refresh_hash == digest)
    )
    if stolen is not None and stolen.revoked_at is None:
        stolen.revoked_at = utcnow()
        # Commit despite the 401 that follows: the revocation must stick.
        await session.commit()


async def logout(session: AsyncSession, auth_session: AuthSession) -> None:
    auth_session.revoked_at = utcnow()
    await session.flush()


async def authenticate(
    session: AsyncSession, settings: Settings, token: str
) -> tuple[User, AuthSession]:
    """The user and session behind an access token, or 401."""
    claims = security.decode_access_token(token, settings.signing_key)
    if claims is None:
        raise Unauthorized(BAD_TOKEN)
    user_id, session_id = claims
    row = (
        await session.execute(
            select(User, AuthSession)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                User.id == user_id,
                AuthSession.id == session_id,
                AuthSession.revoked_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise Unauthorized(BAD_TOKEN)
    return row[0], row[1]
