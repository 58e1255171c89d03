"""Registration, sign-in, token rotation and sign-out."""

from datetime import timedelta

from sqlalchemy import bindparam, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import invites, security, server
from parley.auth.schemas import RegisterIn, Token
from parley.auth.security import Auth
from parley.core.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from parley.db.models import AuthSession, RefreshToken, User
from parley.db.types import utcnow

BAD_CREDENTIALS = "incorrect username or password"
BAD_TOKEN = "invalid or expired token"
DEACTIVATED = "this account has been deactivated; ask the server's administrator"
CLOSED = "this server does not take sign-ups: accounts are created by its administrator"
INVITE_ONLY = "this server takes sign-ups by invitation only: ask its administrator for a link"
BAD_INVITE = "this invite link is unknown, used up, expired or revoked: ask for a new one"
# A request records activity only when the stored time is older than this, so a session
# in use writes about once per grain rather than on every request.
ACTIVITY_GRAIN = timedelta(minutes=5)


async def register(session: AsyncSession, auth: Auth, data: RegisterIn, registration: str) -> User:
    """A sign-up, by the server's rules: its registration mode, invites, the e-mail rule.

    The server's very first account becomes its admin, whatever the mode but "closed";
    racing first sign-ups decide it one after the other under the settings lock.
    """
    if registration == "closed":
        raise Forbidden(CLOSED)
    if registration == "invite" and data.invite is None and await server.has_accounts(session):
        raise Forbidden(INVITE_ONLY)
    if data.email is None and (await server.settings(session)).email_required:
        raise InvalidInput(("body", "email"), "an e-mail address is required on this server")
    # Hashed before any lock is taken: the hash takes longest and needs none.
    password_hash = await auth.passwords.hash(data.password)
    first = False
    if not await server.has_accounts(session):
        await server.lock(session)
        first = not await server.has_accounts(session)
    invite_id = None
    if data.invite is not None and not first:
        invite_id = await invites.claim(session, data.invite)
        if invite_id is None and registration == "invite":
            raise Forbidden(BAD_INVITE)
    user = await create_account(
        session,
        username=data.username,
        email=data.email,
        password_hash=password_hash,
        display_name=data.display_name,
        is_admin=first,
    )
    if invite_id is not None:
        await invites.record_use(session, invite_id, user.id)
    return user


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    email: str | None,
    password_hash: str,
    display_name: str | None = None,
    is_admin: bool = False,
) -> User:
    """Insert an account; 409 if its name or e-mail is taken (also by a racing insert)."""
    username_key = username.lower()
    email_key = email.lower() if email is not None else None
    clash = [User.username_key == username_key]
    if email_key is not None:
        clash.append(User.email_key == email_key)
    taken = (await session.execute(select(User.username_key).where(or_(*clash)))).all()
    if taken:
        _raise_taken(username_key, [row.username_key for row in taken])
    display_name = display_name or username
    user = User(
        username=username,
        username_key=username_key,
        email=email,
        email_key=email_key,
        password_hash=password_hash,
        display_name=display_name,
        display_name_key=display_name.lower(),
        is_admin=is_admin,
        is_active=True,
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


async def login(
    session: AsyncSession,
    auth: Auth,
    name: str,
    password: str,
    device: str | None = None,
    address: str | None = None,
) -> Token:
    key = name.lower()
    user = await session.scalar(
        select(User).where(or_(User.username_key == key, User.email_key == key))
    )
    ok = await auth.passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok:
        raise Unauthorized(BAD_CREDENTIALS)
    if not user.is_active:
        # Said only to whoever knows the password: it reveals nothing to a guesser.
        raise Unauthorized(DEACTIVATED)
    return await _start_session(session, auth, user, device or None, address)


async def _start_session(
    session: AsyncSession, auth: Auth, user: User, device: str | None, address: str | None
) -> Token:
    now = utcnow()
    auth_session = AuthSession(
        user_id=user.id,
        expires_at=now + timedelta(days=auth.refresh_token_days),
        device=device,
        address=address[:64] if address else None,
        last_active_at=now,
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
    active = await session.scalar(select(User.is_active).where(User.id == auth_session.user_id))
    if not active:
        raise Unauthorized(BAD_TOKEN)
    if token.spent_at is not None:
        # Two holders of one token: one of them stole it. End the session for both,
        # and commit despite the 401 that follows, so the revocation sticks.
        auth_session.revoked_at = utcnow()
        await session.commit()
        raise Unauthorized(BAD_TOKEN)
    token.spent_at = utcnow()
    auth_session.expires_at = utcnow() + timedelta(days=auth.refresh_token_days)
    auth_session.last_active_at = utcnow()
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
        User.is_active == true(),
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
    user, auth_session = row[0], row[1]
    now = utcnow()
    seen = auth_session.last_active_at
    if seen is None or now - seen > ACTIVITY_GRAIN:
        # Written with the request's own unit of work, once per grain: no query of its own.
        auth_session.last_active_at = now
    return user, auth_session


def require_admin(user: User) -> User:
    if not user.is_admin:
        raise Forbidden("only an administrator of this server may do this")
    return user


def touch(auth_session: AuthSession) -> None:
    """Note activity now (a socket connecting), written with the caller's unit of work."""
    auth_session.last_active_at = utcnow()
