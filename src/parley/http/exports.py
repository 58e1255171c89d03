"""Account export (docs/API-EXTENSIONS.md, "Account export"): start, follow, download."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from parley.actions import exports as actions
from parley.core.errors import NotFound
from parley.core.fields import MAX_ID
from parley.exports import service
from parley.exports.schemas import ExportOut
from parley.http.dependencies import ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, error_responses

router = APIRouter(tags=["exports"])


@router.post(
    "/users/me/exports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExportOut,
    responses=error_responses(401),
)
async def start_export(session: SessionDep, ctx: ContextDep, me: CurrentUser) -> ExportOut:
    """Start building my archive; while one of mine is queued or running, that one."""
    return await actions.start(session, ctx, me)


@router.get("/users/me/exports", response_model=list[ExportOut], responses=error_responses(401))
async def my_exports(session: SessionDep, ctx: ContextDep, me: CurrentUser) -> list[ExportOut]:
    """My exports, newest first (the last 50)."""
    return await actions.mine(session, ctx, me)


@router.get(
    "/users/me/exports/{export_id}",
    response_model=ExportOut,
    responses=error_responses(401, 404),
)
async def my_export(
    export_id: IdPath, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ExportOut:
    return await actions.get(session, ctx, me, export_id)


_ZIP = {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}


@router.get(
    "/exports/{export_id}/download",
    response_class=StreamingResponse,
    responses=error_responses(404) | {200: _ZIP},
)
async def download_export(
    export_id: IdPath,
    session: SessionDep,
    ctx: ContextDep,
    exp: Annotated[int, Query(ge=0, le=MAX_ID)],
    sig: Annotated[str, Query(max_length=64)],
) -> StreamingResponse:
    """The archive, by the signed `url` of a done export: no bearer needed, so a plain
    `<a href download>` works. Expired, forged or swept: 404 saying so."""
    if not ctx.links.verify(export_id, "export", exp, sig):
        raise NotFound(service.EXPIRED)
    export, username = await service.downloadable(session, export_id)
    key, size = export.storage_key, export.size
    if key is None or size is None:  # downloadable() checked; this tells the type checker
        raise NotFound(service.EXPIRED)
    filename = f"parley-export-{username}-{export.created_at.date().isoformat()}.zip"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(size),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }

    async def body() -> AsyncIterator[bytes]:
        async for chunk in ctx.storage.read(key):
            yield chunk

    return StreamingResponse(body(), media_type="application/zip", headers=headers)
