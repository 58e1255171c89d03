from typing import Annotated, Any

from fastapi import APIRouter, Query

from parley.actions import notifications
from parley.auth.schemas import UserOut
from parley.http.dependencies import ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, error_responses
from parley.notifications.schemas import NotificationSettings, NotificationSettingsIn
from parley.users import service
from parley.users.schemas import UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401))


@router.get("/search", response_model=list[UserPublic])
async def search(
    session: SessionDep,
    ctx: ContextDep,
    _user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=64, pattern=r"\S")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[UserPublic]:
    users = await service.search(session, q, limit)
    return [service.public_user(user, ctx.online) for user in users]


# Before /{user_id}: the concrete path is its own resource (and its 405 names PATCH).
@router.patch("/me", response_model=UserOut, responses=error_responses(403))
async def update_me(
    data: UserUpdate, session: SessionDep, ctx: ContextDep, user: CurrentUser
) -> Any:
    return await service.update_me(session, ctx.auth.passwords, user, data)


@router.get("/me/notifications", response_model=NotificationSettings)
async def my_notifications(user: CurrentUser) -> NotificationSettings:
    """Quiet hours, the people let through them, and push previews (also in /auth/me)."""
    return NotificationSettings.model_validate(user.notifications)


@router.patch(
    "/me/notifications", response_model=NotificationSettings, responses=error_responses(404)
)
async def update_my_notifications(
    data: NotificationSettingsIn, session: SessionDep, user: CurrentUser
) -> NotificationSettings:
    """Only the fields sent change; my other sockets get `notifications.settings`."""
    return await notifications.set_account_settings(session, user, data)


@router.get("/{user_id}", response_model=UserPublic, responses=error_responses(404))
async def get_user(
    user_id: IdPath, session: SessionDep, ctx: ContextDep, _user: CurrentUser
) -> UserPublic:
    return service.public_user(await service.get(session, user_id), ctx.online)
