from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import StreamingResponse

from parley.actions import attachments as actions
from parley.attachments import service
from parley.attachments.files import INLINE_IMAGES
from parley.attachments.links import Variant
from parley.attachments.schemas import AttachmentOut
from parley.auth import service as auth_service
from parley.core.errors import NotFound, Unauthorized
from parley.core.fields import MAX_ID
from parley.db.models import Attachment
from parley.http.dependencies import ClientAddress, ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, error_responses

router = APIRouter(tags=["attachments"])


@router.post(
    "/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentOut,
    responses=error_responses(401, 413, 415, 429),
)
async def upload(
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
    address: ClientAddress,
) -> AttachmentOut:
    return await actions.upload(session, ctx, me, file, address)


# The bytes, with the content type sniffed at upload: any type at all.
_FILE = {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
Expires = Annotated[int | None, Query(ge=0, le=MAX_ID)]
Signature = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses=error_responses(401, 404) | {200: _FILE},
)
async def download(
    attachment_id: IdPath,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    exp: Expires = None,
    sig: Signature = None,
) -> StreamingResponse:
    attachment = await _authorised(request, session, ctx, attachment_id, "file", exp, sig)
    return _stream(ctx, attachment.storage_key, attachment.content_type, attachment)


@router.get(
    "/attachments/{attachment_id}/thumbnail",
    response_class=StreamingResponse,
    responses=error_responses(401, 404) | {200: {"content": {"image/webp": {}}}},
)
async def thumbnail(
    attachment_id: IdPath,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    exp: Expires = None,
    sig: Signature = None,
) -> StreamingResponse:
    attachment = await _authorised(request, session, ctx, attachment_id, "thumbnail", exp, sig)
    if attachment.thumbnail_key is None:
        raise NotFound("this attachment has no preview")
    return _stream(ctx, attachment.thumbnail_key, "image/webp", None)


async def _authorised(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    attachment_id: int,
    variant: Variant,
    exp: int | None,
    sig: str | None,
) -> Attachment:
    """A valid signed link, or a bearer token of someone allowed to read the file."""
    if exp is not None and sig is not None:
        if not ctx.links.verify(attachment_id, variant, exp, sig):
            raise NotFound(service.NOT_FOUND)  # expired or forged: nothing to see here
        attachment = await session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(service.NOT_FOUND)
        return attachment
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("sign in, or use the signed link from the message")
    user, _ = await auth_service.authenticate(session, ctx.auth, token)
    return await service.readable(session, user.id, attachment_id)


def _stream(
    ctx: ContextDep, key: str, content_type: str, named: Attachment | None
) -> StreamingResponse:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        # Even if a file is opened directly, it runs nothing.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    }
    if named is not None:
        disposition = "inline" if content_type in INLINE_IMAGES else "attachment"
        headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(named.name, safe='')}"
        )
        headers["Content-Length"] = str(named.size)

    async def body() -> AsyncIterator[bytes]:
        async for chunk in ctx.storage.read(key):
            yield chunk

    return StreamingResponse(body(), media_type=content_type, headers=headers)
