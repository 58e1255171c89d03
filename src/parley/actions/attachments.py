"""Uploading a file within the upload limits, and removing files nobody is shown any more."""

from datetime import datetime

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.attachments import service
from parley.attachments.schemas import AttachmentOut
from parley.db.models import User


async def upload(
    session: AsyncSession, ctx: Context, me: User, file: UploadFile, address: str
) -> AttachmentOut:
    await ctx.limits.upload.hit(f"user:{me.id}")
    await ctx.limits.upload_address.hit(f"ip:{address}")
    return await service.upload(
        session, ctx.storage, ctx.links, me, file, ctx.settings.max_upload_bytes
    )


async def sweep(ctx: Context, now: datetime | None = None) -> int:
    """Remove files of messages deleted a grace period ago (and old uploads never sent).

    Every node may run this at once: the rows go in one unit of work, the bytes only after
    it commits, and deleting a file twice is harmless.
    """
    async with ctx.units.begin() as session:
        keys = await service.sweep(session, ctx.settings.attachment_grace_seconds, now)
    for key in keys:
        await ctx.storage.delete(key)
    return len(keys)
