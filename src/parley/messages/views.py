"""The one builder of ``MessageOut``: from ORM rows, plain rows or a fresh insert alike."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.attachments.service import attachment_of
from parley.db.models import Attachment, Message
from parley.messages.schemas import MessageOut
from parley.previews.links import might_link
from parley.previews.service import previews_of

MESSAGE = TypeAdapter(MessageOut)
MESSAGE_LIST = TypeAdapter(list[MessageOut])


def attachment_path(attachment_id: int | None) -> str | None:
    """A message's `attachment_url`: the attachment's API path, derived from its id."""
    return None if attachment_id is None else f"/attachments/{attachment_id}"


def message_fields(
    *,
    id: int,
    chat_id: int,
    sender_id: int,
    content: str,
    created_at: datetime,
    edited_at: datetime | None,
    is_read: bool,
    client_id: str | None,
    attachment_id: int | None,
    attachment: dict[str, Any] | None,
    preview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A MessageOut's fields as a plain dict, for validating many at once.

    Building nested models one by one in Python made long lists CPU-bound; plain dicts
    validated in one call are several times cheaper.
    """
    return {
        "id": id,
        "chat_id": chat_id,
        "sender_id": sender_id,
        "content": content,
        "attachment_url": attachment_path(attachment_id),
        "created_at": created_at,
        "edited_at": edited_at,
        "is_read": is_read,
        "client_id": client_id,
        "attachment": attachment,
        "preview": preview,
    }


async def message_views(
    session: AsyncSession, links: Links, messages: Sequence[Message]
) -> list[MessageOut]:
    """MessageOut for each message, with its attachment's signed links and its link
    preview (one query for each, for the whole page; none when nothing on it needs one)."""
    ids = {m.attachment_id for m in messages if m.attachment_id is not None}
    found: dict[int, dict[str, Any]] = {}
    if ids:
        rows = await session.scalars(select(Attachment).where(Attachment.id.in_(ids)))
        found = {a.id: attachment_of(links, a) for a in rows.all()}
    previews = await previews_of(session, [m.id for m in messages if might_link(m.content)])
    return MESSAGE_LIST.validate_python(
        [
            message_fields(
                id=m.id,
                chat_id=m.chat_id,
                sender_id=m.sender_id,
                content=m.content,
                created_at=m.created_at,
                edited_at=m.edited_at,
                is_read=m.is_read,
                client_id=m.client_id,
                attachment_id=m.attachment_id,
                attachment=found.get(m.attachment_id) if m.attachment_id else None,
                preview=previews.get(m.id),
            )
            for m in messages
        ]
    )
