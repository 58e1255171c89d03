"""Uploading a file, within the upload limits."""

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
