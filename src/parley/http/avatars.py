"""Avatars: set or remove your own; anyone may fetch one whose URL they were given.

The picture route needs no token: an <img> cannot send one, and the URL carries the
avatar's random key (``?v=``), so only someone shown the user (any signed-in user may
be) knows it. A new upload gets a new key, so the picture can be cached for good.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, File, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from parley.actions import avatars as actions
from parley.auth.schemas import UserOut
from parley.core.errors import NotFound
from parley.http.dependencies import ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, error_responses
from parley.users import service

router = APIRouter(prefix="/users", tags=["users"])


@router.put(
    "/me/avatar",
    response_model=UserOut,
    responses=error_responses(401, 413, 415, 429),
)
async def set_avatar(
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
    background: BackgroundTasks,
) -> Any:
    user, old = await actions.set_avatar(session, ctx, me, file)
    if old is not None:
        # Background tasks run after the response, so after the commit (SessionDep).
        background.add_task(ctx.storage.delete, old)
    return user


@router.delete("/me/avatar", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def remove_avatar(
    session: SessionDep, ctx: ContextDep, me: CurrentUser, background: BackgroundTasks
) -> Response:
    old = await actions.remove_avatar(session, me)
    if old is not None:
        background.add_task(ctx.storage.delete, old)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Digits only (":int"): `GET /users/me/avatar` must not reach this route as a bad id (422)
# but answer 405 with `Allow: PUT, DELETE`, like any other method a path lacks.
@router.get(
    "/{user_id:int}/avatar",
    response_class=StreamingResponse,
    responses=error_responses(404) | {200: {"content": {actions.CONTENT_TYPE: {}}}},
)
async def avatar(
    user_id: IdPath,
    session: SessionDep,
    ctx: ContextDep,
    v: Annotated[str, Query(max_length=64)],
) -> StreamingResponse:
    key = await service.avatar_key(session, user_id)
    if key is None or key != v:
        # An old version, a guess, or no avatar: all look the same from outside.
        raise NotFound("avatar not found")
    stream = ctx.storage.read(actions.storage_key(key))

    async def body() -> AsyncIterator[bytes]:
        async for chunk in stream:
            yield chunk

    return StreamingResponse(
        body(),
        media_type=actions.CONTENT_TYPE,
        headers={
            "X-Content-Type-Options": "nosniff",
            # The URL changes with the picture: this one never does.
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
