"""Registration, sign-in, token rotation and sign-out."""

from datetime import timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import security
from parley.auth.schemas import RegisterIn, Token
from parley.auth.security import Auth
from parley.core.errors import Conflict, Unauthorized
from parley.db.models import AuthSession, RefreshToken, User
from parley.db.types import utcnow

BAD_CREDENTIALS = "incorrect username or password"
BAD_TOKEN = "invalid or expired token"


async def register(session: AsyncSession, auth: Auth, data: RegisterIn) -> User:
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
    display_name = data.display_name or data.username
    user = User(
        username=data.username,
        username_key=username_key,
        email=str(data.email),
        email_key=email_key,
        password_hash=await auth.passwords.hash(data.password),
        display_name=display_name,
        display_name_key=display_name.lower(),
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


async def login(session: AsyncSession, auth: Auth, name: str, password: str) -> Token:
    key = name.lower()
    user = await session.scalar(
        select(User).where(or_(User.username_key == key, User.email_key == key))
    )
    ok = await auth.passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok:
        raise Unauthorized(BAD_CREDENTIALS)
    return await _start_session(session, auth, user)


async def _start_session(session: AsyncSession, auth: Auth, user: User) -> Token:
    auth_session = AuthSession(
        user_id=user.id, expires_at=utcnow() + timedelta(days=auth.refresh_token_days)
    )
    session.add(auth_session)
    await session.flush()
    return await _issue(session, auth, auth_session)


async def _issue(session: AsyncSession, auth: Auth, auth_session: AuthSession) -> Token:
    refresh_token = security.new_refresh_token()
    session.add(
        RefreshToken(session_id=auth_session.id, token_hash=security.token_digest(refresh_token))
    )
    await session.flush()
    access = security.create_access_token(
        auth_session.user_id, auth_session.id, auth.signing_key, auth.access_token_minutes
    )
    return Token(
        access_token=access,
        expires_in=auth.access_token_minutes * 60,
        refresh_token=refresh_token,
    )


async def refresh(session: AsyncSession, auth: Auth, refresh_token: str) -> Token:
    """Spend a refresh token for a new pair; a spent one coming back ends its session."""
    row = (
        await session.execute(
            select(RefreshToken, AuthSession)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == security.token_digest(refresh_token))
            .with_for_update()
        )
    ).first()
    if row is None:
        raise Unauthorized(BAD_TOKEN)
    token, auth_session = row
    if auth_session.revoked_at is not None or auth_session.expires_at <= utcnow():
        raise Unauthorized(BAD_TOKEN)
    if token.spent_at is not None:
        # Two holders of one token: one of them stole it. End the session for both,
        # and commit despite the 401 that follows, so the revocation sticks.
        auth_session.revoked_at = utcnow()
        await session.commit()
        raise Unauthorized(BAD_TOKEN)
    token.spent_at = utcnow()
    auth_session.expires_at = utcnow() + timedelta(days=auth.refresh_token_days)
    return await _issue(session, auth, auth_session)


async def logout(session: AsyncSession, auth_session: AuthSession) -> None:
    auth_session.revoked_at = utcnow()
    await session.flush()


# Asked on every request: built once, so it keeps its compiled form.
_SIGNED_IN = (
    select(User, AuthSession)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        User.id == bindparam("b_user"),
        AuthSession.id == bindparam("b_session"),
        AuthSession.revoked_at.is_(None),
    )
)


async def authenticate(session: AsyncSession, auth: Auth, token: str) -> tuple[User, AuthSession]:
    """The user and session behind an access token, or 401."""
    claims = security.decode_access_token(token, auth.signing_key)
    if claims is None:
        raise Unauthorized(BAD_TOKEN)
    user_id, session_id = claims
    params = {"b_user": user_id, "b_session": session_id}
    row = (await session.execute(_SIGNED_IN, params)).first()
    if row is None:
        raise Unauthorized(BAD_TOKEN)
    return row[0], row[1]
