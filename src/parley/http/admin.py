"""Administration: accounts and the server. Every route is for admins only (else 403)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from parley.actions import admin
from parley.auth.schemas import LinkOut
from parley.http.dependencies import AdminUser, ContextDep, PublicBase, SessionDep
from parley.http.responses import IdPath, error_responses
from parley.users.schemas import AdminUserOut, ServerOut, ServerPatch

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403))
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/users", response_model=list[AdminUserOut])
async def users(
    _admin: AdminUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
) -> list[AdminUserOut]:
    return [
        AdminUserOut(
            id=row.user.id,
            username=row.user.username,
            display_name=row.user.display_name,
            email=row.user.email,
            is_admin=row.user.is_admin,
            is_active=row.user.is_active,
            created_at=row.user.created_at,
            last_seen_at=row.last_seen_at,
            active_sessions=row.active_sessions,
        )
        for row in await admin.accounts(session, q)
    ]


@router.post(
    "/users/{user_id}/deactivate", status_code=NO_CONTENT, responses=error_responses(404, 409)
)
async def deactivate(user_id: IdPath, _admin: AdminUser, session: SessionDep) -> Response:
    await admin.deactivate(session, user_id)
    return Response(status_code=NO_CONTENT)


@router.post("/users/{user_id}/reactivate", status_code=NO_CONTENT, responses=error_responses(404))
async def reactivate(user_id: IdPath, _admin: AdminUser, session: SessionDep) -> Response:
    await admin.reactivate(session, user_id)
    return Response(status_code=NO_CONTENT)


@router.post("/users/{user_id}/promote", status_code=NO_CONTENT, responses=error_responses(404))
async def promote(user_id: IdPath, _admin: AdminUser, session: SessionDep) -> Response:
    await admin.set_admin(session, user_id, True)
    return Response(status_code=NO_CONTENT)


@router.post("/users/{user_id}/demote", status_code=NO_CONTENT, responses=error_responses(404, 409))
async def demote(user_id: IdPath, _admin: AdminUser, session: SessionDep) -> Response:
    await admin.set_admin(session, user_id, False)
    return Response(status_code=NO_CONTENT)


@router.post(
    "/users/{user_id}/reset-link",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkOut,
    responses=error_responses(404),
)
async def reset_link(
    user_id: IdPath, _admin: AdminUser, session: SessionDep, base: PublicBase
) -> LinkOut:
    issued = await admin.reset_link(session, user_id)
    return LinkOut(
        url=f"{base}/?reset={issued.token}", token=issued.token, expires_at=issued.expires_at
    )


async def _server(session: SessionDep, ctx: ContextDep) -> ServerOut:
    stats, about = await admin.server_info(session, ctx)
    return ServerOut.model_validate({**vars(stats), **about})


@router.get("/server", response_model=ServerOut)
async def server(_admin: AdminUser, session: SessionDep, ctx: ContextDep) -> ServerOut:
    return await _server(session, ctx)


@router.patch("/server", response_model=ServerOut)
async def change_server(
    data: ServerPatch, _admin: AdminUser, session: SessionDep, ctx: ContextDep
) -> ServerOut:
    if data.email_required is not None:
        await admin.set_email_required(session, data.email_required)
    return await _server(session, ctx)
