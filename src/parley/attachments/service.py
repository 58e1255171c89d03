"""Uploading, checking who may read, and showing attachments on messages."""

import asyncio
import io
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import UploadFile
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.files import INLINE_IMAGES, SNIFF_BYTES, clean_name, judge
from parley.attachments.links import Links
from parley.attachments.schemas import AttachmentOut, AttachmentView
from parley.attachments.storage import Storage
from parley.attachments.thumbnails import make_thumbnail
from parley.core.errors import InvalidInput, NotFound, TooLarge, UnsupportedType
from parley.db.models import Attachment, ChatUser, Message, User
from parley.db.types import utcnow

NOT_FOUND = "attachment not found"
_URL = re.compile(r"^/attachments/([1-9][0-9]{0,18})$")


async def upload(
    session: AsyncSession,
    storage: Storage,
    links: Links,
    user: User,
    file: UploadFile,
    max_bytes: int,
) -> AttachmentOut:
    """Check, store and record one file; images get a preview made now, once."""
    size = file.size if file.size is not None else await asyncio.to_thread(_size, file)
    if size > max_bytes:
        raise TooLarge(f"file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    if size == 0:
        raise InvalidInput(("body", "file"), "file is empty")
    name = clean_name(file.filename)
    head = await file.read(SNIFF_BYTES)
    await file.seek(0)
    verdict = judge(head, name)
    if verdict.blocked:
        raise UnsupportedType(verdict.blocked)
    key = f"{uuid.uuid4().hex}"
    key = f"{key[:2]}/{key}"
    await storage.put(key, file.file, verdict.content_type)
    thumbnail_key = None
    if verdict.content_type in INLINE_IMAGES:
        await file.seek(0)
        preview = await asyncio.to_thread(make_thumbnail, file.file)
        if preview is not None:
            thumbnail_key = key + ".thumb.webp"
            await storage.put(thumbnail_key, io.BytesIO(preview), "image/webp")
    attachment = Attachment(
        uploader_id=user.id,
        name=name,
        size=size,
        content_type=verdict.content_type,
        storage_key=key,
        thumbnail_key=thumbnail_key,
    )
    session.add(attachment)
    await session.flush()
    view = attachment_view(attachment, links)
    return AttachmentOut(
        id=attachment.id,
        url=f"/attachments/{attachment.id}",
        name=name,
        size=size,
        content_type=verdict.content_type,
        is_image=view.is_image,
        download_url=view.url,
        thumbnail_url=view.thumbnail_url,
    )


def _size(file: UploadFile) -> int:
    file.file.seek(0, 2)
    size = file.file.tell()
    file.file.seek(0)
    return size


async def owned(session: AsyncSession, sender_id: int, attachment_url: str) -> Attachment:
    """The attachment a message names, which must be one its sender uploaded."""
    match = _URL.match(attachment_url)
    attachment = await session.get(Attachment, int(match.group(1))) if match else None
    if attachment is None or attachment.uploader_id != sender_id:
        raise InvalidInput(
            ("body", "attachment_url"),
            "attachment_url must be the url of a file you uploaded (/attachments/{id})",
        )
    return attachment


async def readable(session: AsyncSession, user_id: int, attachment_id: int) -> Attachment:
    """Its uploader, and members of a chat where it was sent, may read it; others get 404."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(NOT_FOUND)
    if attachment.uploader_id == user_id:
        return attachment
    shared = await session.scalar(
        select(Message.id)
        .join(ChatUser, (ChatUser.chat_id == Message.chat_id) & (ChatUser.user_id == user_id))
        .where(Message.attachment_id == attachment_id, Message.deleted_at.is_(None))
        .limit(1)
    )
    if shared is None:
        raise NotFound(NOT_FOUND)
    return attachment


def attachment_view(attachment: Attachment, links: Links) -> AttachmentView:
    return AttachmentView(**attachment_of(links, attachment))


def attachment_of(links: Links, a: Attachment) -> dict[str, Any]:
    """An AttachmentView's fields for a stored attachment."""
    return attachment_fields(links, a.id, a.name, a.size, a.content_type, a.thumbnail_key)


def attachment_fields(
    links: Links, id_: int, name: str, size: int, content_type: str, thumbnail_key: str | None
) -> dict[str, Any]:
    """An AttachmentView's fields, for callers that build views from plain rows."""
    return {
        "id": id_,
        "name": name,
        "size": size,
        "content_type": content_type,
        "is_image": content_type in INLINE_IMAGES,
        "url": links.sign(id_),
        "thumbnail_url": links.sign(id_, "thumbnail") if thumbnail_key else None,
    }


async def sweep(
    session: AsyncSession, grace_seconds: int, now: datetime | None = None, batch: int = 500
) -> list[str]:
    """Forget files that no live message has shown for ``grace_seconds``.

    That is files of messages deleted that long ago, and uploads that old never sent. The
    rows go now; the storage keys returned are for the caller to delete once this unit
    has committed (a rolled-back sweep must leave every file in place).
    """
    cutoff = (now or utcnow()) - timedelta(seconds=grace_seconds)
    still_shown = exists().where(
        Message.attachment_id == Attachment.id,
        or_(Message.deleted_at.is_(None), Message.deleted_at > cutoff),
    )
    rows = (
        await session.execute(
            select(Attachment.id, Attachment.storage_key, Attachment.thumbnail_key)
            .where(Attachment.created_at < cutoff, ~still_shown)
            .limit(batch)
        )
    ).all()
    if rows:
        await session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    return [key for row in rows for key in (row.storage_key, row.thumbnail_key) if key]
