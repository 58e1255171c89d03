"""Signing up and signing in, with the limits that slow down guessing and mass sign-ups."""

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.auth import service
from parley.auth.schemas import LoginIn, RegisterIn, Token
from parley.core.errors import DomainError
from parley.db.models import User


async def register(session: AsyncSession, ctx: Context, data: RegisterIn, address: str) -> User:
    # Every attempt counts (409s too): it also slows down probing for taken names.
    await ctx.limits.registration.hit(f"ip:{address}")
    return await service.register(session, ctx.auth, data)


async def login(session: AsyncSession, ctx: Context, data: LoginIn, address: str) -> Token:
    keys = (f"ip:{address}", f"user:{data.username.lower()}")
    await ctx.limits.login.check(*keys)
    try:
        return await service.login(session, ctx.auth, data.username, data.password)
    except DomainError:
        # Only failures count: people who know their password are never locked out.
        await ctx.limits.login.hit(*keys)
        raise
