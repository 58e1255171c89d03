"""Stored previews: one row per message, replaced whole, read for a page in one query."""

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.db.models import LinkPreview as PreviewRow
from parley.db.types import utcnow
from parley.previews.schemas import LinkPreview

PREVIEWS = cast(Table, PreviewRow.__table__)
_FIELDS = (
    PREVIEWS.c.message_id,
    PREVIEWS.c.url,
    PREVIEWS.c.title,
    PREVIEWS.c.description,
    PREVIEWS.c.image_url,
    PREVIEWS.c.site_name,
)


async def previews_of(
    session: AsyncSession, message_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """The previews of these messages (those that have one), as MessageOut.preview dicts."""
    if not message_ids:
        return {}
    rows = await session.execute(
        select(*_FIELDS).where(PREVIEWS.c.message_id.in_(set(message_ids)))
    )
    return {
        row.message_id: {
            "url": row.url,
            "title": row.title,
            "description": row.description,
            "image_url": row.image_url,
            "site_name": row.site_name,
        }
        for row in rows
    }


async def store(session: AsyncSession, message_id: int, preview: LinkPreview) -> None:
    """The message's preview is now ``preview`` (replacing any earlier one)."""
    await forget(session, message_id)
    await session.execute(
        insert(PREVIEWS).values(message_id=message_id, fetched_at=utcnow(), **preview.model_dump())
    )


async def forget(session: AsyncSession, message_id: int) -> bool:
    """Drop the message's preview; whether it had one."""
    result = await session.execute(delete(PREVIEWS).where(PREVIEWS.c.message_id == message_id))
    return bool(getattr(result, "rowcount", 0))
