"""Signing up and signing in, with the limits that slow down guessing and mass sign-ups."""

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.actions.sessions import end_sessions
from parley.auth import server, service, sessions
from parley.auth.schemas import AuthOptions, LoginIn, RegisterIn, ResetIn, Token
from parley.core.errors import DomainError
from parley.db.models import User


async def register(session: AsyncSession, ctx: Context, data: RegisterIn, address: str) -> User:
    # Every attempt counts (409s too): it also slows down probing for taken names.
    await ctx.limits.registration.hit(f"ip:{address}")
    return await service.register(session, ctx.auth, data, ctx.settings.registration)


async def options(session: AsyncSession, ctx: Context) -> AuthOptions:
    return AuthOptions(
        registration=ctx.settings.registration,
        email_required=(await server.settings(session)).email_required,
        first_account=not await server.has_accounts(session),
    )


async def login(session: AsyncSession, ctx: Context, data: LoginIn, address: str) -> Token:
    keys = (f"ip:{address}", f"user:{data.username.lower()}")
    await ctx.limits.login.check(*keys)
    try:
        return await service.login(
            session, ctx.auth, data.username, data.password, data.device, address
        )
    except DomainError:
        # Only failures count: people who know their password are never locked out.
        await ctx.limits.login.hit(*keys)
        raise


async def reset_password(session: AsyncSession, ctx: Context, data: ResetIn, address: str) -> None:
    """Spend a reset link; every session of the account ends (sockets, pushes, tokens)."""
    key = f"ip:{address}"
    await ctx.limits.login.check(key)  # a token is a password of sorts: guessed alike
    try:
        user_id = await sessions.redeem_reset(
            session, ctx.auth.passwords, data.token, data.password
        )
    except DomainError:
        await ctx.limits.login.hit(key)
        raise
    await end_sessions(session, user_id, await sessions.revoke_all(session, user_id))
