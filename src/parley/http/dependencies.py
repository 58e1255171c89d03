"""Annotated dependency aliases shared by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.auth import service as auth_service
from parley.db.models import AuthSession, User


# The dependencies are coroutines even where they need not wait: FastAPI runs plain
# functions in a worker thread, a hand-off that cost every request more than their work.
async def get_context(request: Request) -> Context:
    context: Context = request.app.state.parley
    return context


ContextDep = Annotated[Context, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[AsyncSession]:
    async with ctx.units.begin() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a reported
# success is always durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login")


async def get_auth(
    session: SessionDep, ctx: ContextDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> tuple[User, AuthSession]:
    return await auth_service.authenticate(session, ctx.auth, token)


AuthDep = Annotated[tuple[User, AuthSession], Depends(get_auth)]


async def get_current_user(auth: AuthDep) -> User:
    return auth[0]


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin(user: CurrentUser) -> User:
    return auth_service.require_admin(user)


# Routes for administrators only: 401 without a valid token, 403 for everyone else.
AdminUser = Annotated[User, Depends(get_admin)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def public_base(request: Request) -> str:
    """Where links handed to people point: PARLEY_PUBLIC_URL, else where this request came
    (scheme and host as the proxies the server trusts report them)."""
    configured: str = request.app.state.parley.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


PublicBase = Annotated[str, Depends(public_base)]
