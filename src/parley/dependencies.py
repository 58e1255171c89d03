"""Annotated dependency aliases shared by the routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import service as auth_service
from parley.config import Settings
from parley.db.models import AuthSession, User
from parley.db.unit_of_work import unit_of_work
from parley.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.parley
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(state) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a reported
# success is always durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login")


async def get_auth(
    session: SessionDep, settings: SettingsDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> tuple[User, AuthSession]:
    return await auth_service.authenticate(session, settings, token)


AuthDep = Annotated[tuple[User, AuthSession], Depends(get_auth)]


async def get_current_user(auth: AuthDep) -> User:
    return auth[0]


CurrentUser = Annotated[User, Depends(get_current_user)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]
