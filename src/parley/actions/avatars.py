"""Setting and removing your avatar: an uploaded image, kept as a small square picture.

The checks are the attachments' own (type sniffed from the bytes, Pillow to read it);
only the square thumbnail is stored, never the upload itself.
"""

import asyncio
import io
import uuid

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.attachments.files import INLINE_IMAGES, SNIFF_BYTES, clean_name, judge
from parley.attachments.thumbnails import make_square
from parley.core.errors import InvalidInput, TooLarge, UnsupportedType
from parley.db.models import User
from parley.users import service

SIDE = 256  # px; shown at most at 96 px, so sharp on a 2x screen with room to spare
CONTENT_TYPE = "image/webp"


def storage_key(avatar_key: str) -> str:
    return f"avatars/{avatar_key[:2]}/{avatar_key}.webp"


async def set_avatar(
    session: AsyncSession, ctx: Context, me: User, file: UploadFile
) -> tuple[User, str | None]:
    """Store the new picture; returns the user and the storage key of the old one.

    The caller deletes the old file once this unit has committed: a rolled-back change
    must leave the picture the user still points at in place.
    """
    await ctx.limits.upload.hit(f"user:{me.id}")
    max_bytes = ctx.settings.max_upload_bytes
    size = file.size if file.size is not None else await asyncio.to_thread(_size, file)
    if size > max_bytes:
        raise TooLarge(f"file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    if size == 0:
        raise InvalidInput(("body", "file"), "file is empty")
    verdict = judge(await file.read(SNIFF_BYTES), clean_name(file.filename))
    await file.seek(0)
    if verdict.blocked or verdict.content_type not in INLINE_IMAGES:
        raise UnsupportedType("an avatar must be a PNG, JPEG, GIF or WebP image")
    picture = await asyncio.to_thread(make_square, file.file, SIDE)
    if picture is None:
        raise InvalidInput(("body", "file"), "the image could not be read")
    key = uuid.uuid4().hex
    await ctx.storage.put(storage_key(key), io.BytesIO(picture), CONTENT_TYPE)
    old = await service.set_avatar(session, me, key)
    return me, storage_key(old) if old else None


def _size(file: UploadFile) -> int:
    file.file.seek(0, 2)
    size = file.file.tell()
    file.file.seek(0)
    return size


async def remove_avatar(session: AsyncSession, me: User) -> str | None:
    """Back to initials; returns the storage key of the old picture, for the caller."""
    old = await service.set_avatar(session, me, None)
    return storage_key(old) if old else None
