"""Export rows (one under way per person, kept a day once built) and reading my chats.

The rules only: the actions (`parley.actions.exports`) run the job and record events.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.core.errors import NotFound
from parley.db.models import Attachment, Chat, ChatUser, Export, Message, Reaction, User
from parley.db.types import utcnow
from parley.exports.schemas import ExportOut
from parley.membership.service import chat_ids

NOT_FOUND = "export not found"
EXPIRED = "this export's link has expired or is not valid; start a new export"
UNDER_WAY = ("queued", "running")
LISTED = 50  # GET /users/me/exports: the newest this many


def download_path(export_id: int) -> str:
    return f"/exports/{export_id}/download"


def view(export: Export, links: Links, now: datetime | None = None) -> ExportOut:
    """The wire shape; ``url`` is signed until the archive expires (then it is null)."""
    url = None
    if (
        export.status == "done"
        and export.storage_key is not None
        and export.expires_at is not None
        and export.expires_at > (now or utcnow())
    ):
        expires = calendar.timegm(export.expires_at.utctimetuple())
        url = links.sign_until(download_path(export.id), export.id, "export", expires)
    return ExportOut(
        id=export.id,
        status=export.status,
        progress=round(export.progress, 3),
        created_at=export.created_at,
        finished_at=export.finished_at,
        expires_at=export.expires_at,
        url=url,
        size=export.size,
        error=export.error,
    )


async def _under_way(session: AsyncSession, user_id: int) -> Export | None:
    return await session.scalar(select(Export).where(Export.active_user_id == user_id))


async def start(session: AsyncSession, user_id: int) -> tuple[Export, bool]:
    """A new queued export, or (False) the one of mine still queued or running."""
    existing = await _under_way(session, user_id)
    if existing is not None:
        return existing, False
    export = Export(user_id=user_id, status="queued", active_user_id=user_id, progress=0.0)
    session.add(export)
    try:
        await session.flush()
    except IntegrityError:
        # A second request of mine raced this one; the unique index kept its export.
        await session.rollback()
        existing = await _under_way(session, user_id)
        if existing is None:
            raise
        return existing, False
    return export, True


async def mine(session: AsyncSession, user_id: int) -> Sequence[Export]:
    rows = await session.scalars(
        select(Export).where(Export.user_id == user_id).order_by(Export.id.desc()).limit(LISTED)
    )
    return rows.all()


async def get_mine(session: AsyncSession, user_id: int, export_id: int) -> Export:
    """404 whether the export is missing or someone else's."""
    export = await session.get(Export, export_id)
    if export is None or export.user_id != user_id:
        raise NotFound(NOT_FOUND)
    return export


async def claim(session: AsyncSession, export_id: int) -> Export | None:
    """queued → running; None when it is no longer queued (failed meanwhile, say)."""
    export = await session.get(Export, export_id, with_for_update=True)
    if export is None or export.status != "queued":
        return None
    export.status = "running"
    export.heartbeat_at = utcnow()
    await session.flush()
    return export


async def set_progress(session: AsyncSession, export_id: int, progress: float) -> Export | None:
    export = await session.get(Export, export_id, with_for_update=True)
    if export is None or export.status != "running":
        return None
    export.progress = max(export.progress, min(progress, 1.0))
    export.heartbeat_at = utcnow()
    await session.flush()
    return export


async def finish(
    session: AsyncSession, export_id: int, storage_key: str, size: int, keep_seconds: int
) -> Export | None:
    """running → done; None (the caller deletes the archive) if it failed meanwhile."""
    export = await session.get(Export, export_id, with_for_update=True)
    if export is None or export.status != "running":
        return None
    now = utcnow()
    export.status, export.progress, export.active_user_id = "done", 1.0, None
    export.finished_at, export.expires_at = now, now + timedelta(seconds=keep_seconds)
    export.storage_key, export.size = storage_key, size
    await session.flush()
    return export


async def fail(session: AsyncSession, export_id: int, error: str) -> Export | None:
    """queued/running → failed with ``error`` in words; None if it had already ended."""
    export = await session.get(Export, export_id, with_for_update=True)
    if export is None or export.status not in UNDER_WAY:
        return None
    export.status, export.active_user_id = "failed", None
    export.finished_at, export.error = utcnow(), error[:255]
    await session.flush()
    return export


async def touch(session: AsyncSession, export_ids: frozenset[int]) -> None:
    await session.execute(
        update(Export)
        .where(Export.id.in_(export_ids), Export.status.in_(UNDER_WAY))
        .values(heartbeat_at=utcnow())
    )


async def fail_abandoned(
    session: AsyncSession, stale_seconds: float, error: str, now: datetime | None = None
) -> list[Export]:
    """Mark failed the exports under way that no node has touched for ``stale_seconds``."""
    cutoff = (now or utcnow()) - timedelta(seconds=stale_seconds)
    rows = await session.scalars(
        select(Export)
        .where(Export.status.in_(UNDER_WAY), Export.heartbeat_at < cutoff)
        .with_for_update()
    )
    failed = list(rows.all())
    for export in failed:
        export.status, export.active_user_id = "failed", None
        export.finished_at, export.error = utcnow(), error
    await session.flush()
    return failed


async def sweep(session: AsyncSession, now: datetime | None = None, batch: int = 500) -> list[str]:
    """Forget the archives past their expiry; their keys are for the caller to delete once
    this unit has committed (a rolled-back sweep leaves every file in place)."""
    rows = (
        await session.execute(
            select(Export.id, Export.storage_key)
            .where(Export.expires_at <= (now or utcnow()), Export.storage_key.is_not(None))
            .limit(batch)
        )
    ).all()
    if rows:
        await session.execute(
            update(Export).where(Export.id.in_([r.id for r in rows])).values(storage_key=None)
        )
    return [row.storage_key for row in rows]


async def downloadable(
    session: AsyncSession, export_id: int, now: datetime | None = None
) -> tuple[Export, str]:
    """A built archive still kept, and its owner's username (for the file's name)."""
    found = (
        await session.execute(
            select(Export, User.username)
            .join(User, User.id == Export.user_id)
            .where(Export.id == export_id)
        )
    ).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    export, username = found
    if (
        export.status != "done"
        or export.storage_key is None
        or export.expires_at is None
        or export.expires_at <= (now or utcnow())
    ):
        raise NotFound(EXPIRED)
    return export, username


# Reading my chats for the archive.


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class ChatRecord:
    id: int
    kind: str  # "direct" | "group"
    name: str
    members: list[Member]


@dataclass(frozen=True)
class FileRecord:
    id: int
    name: str
    size: int
    content_type: str
    storage_key: str


@dataclass(frozen=True)
class MessageRecord:
    id: int
    sender_id: int
    sender_username: str
    sender_display_name: str
    created_at: datetime
    edited_at: datetime | None
    content: str
    reply_to_id: int | None
    file: FileRecord | None
    # [{"emoji", "user_ids"}] in order of first use, as MessageOut orders them.
    reactions: list[dict[str, Any]] = field(default_factory=list)


async def my_chats(session: AsyncSession, user_id: int) -> list[ChatRecord]:
    """Every chat I am a member of now, by id, with its members; a direct chat is named
    after the other person."""
    ids = await chat_ids(session, user_id)
    if not ids:
        return []
    chats = (await session.execute(select(Chat).where(Chat.id.in_(ids)).order_by(Chat.id))).all()
    member_rows = await session.execute(
        select(ChatUser.chat_id, User.id, User.username, User.display_name)
        .join(User, User.id == ChatUser.user_id)
        .where(ChatUser.chat_id.in_(ids))
        .order_by(ChatUser.chat_id, User.id)
    )
    members: dict[int, list[Member]] = {chat_id: [] for chat_id in ids}
    for row in member_rows:
        members[row.chat_id].append(Member(row.id, row.username, row.display_name))
    records = []
    for (chat,) in chats:
        people = members[chat.id]
        if chat.is_group:
            name = chat.title or "Group"
        else:
            others = [m.display_name for m in people if m.id != user_id]
            name = others[0] if others else "Direct chat"
        records.append(ChatRecord(chat.id, "group" if chat.is_group else "direct", name, people))
    return records


def _live(chat_ids_: Sequence[int]) -> Any:
    return and_(Message.chat_id.in_(chat_ids_), Message.deleted_at.is_(None))


async def count_work(session: AsyncSession, chat_ids_: Sequence[int]) -> int:
    """Messages plus files to copy: what progress counts."""
    if not chat_ids_:
        return 0
    messages, files = (
        await session.execute(
            select(func.count(Message.id), func.count(Message.attachment_id)).where(
                _live(chat_ids_)
            )
        )
    ).one()
    return int(messages) + int(files)


async def message_page(
    session: AsyncSession, chat_id: int, after_id: int, limit: int
) -> list[MessageRecord]:
    """The chat's live (not deleted) messages with ids above ``after_id``, oldest first."""
    rows = (
        await session.execute(
            select(
                Message.id,
                Message.sender_id,
                User.username,
                User.display_name,
                Message.created_at,
                Message.edited_at,
                Message.content,
                Message.reply_to_id,
                Message.reacted,
                Attachment.id.label("file_id"),
                Attachment.name,
                Attachment.size,
                Attachment.content_type,
                Attachment.storage_key,
            )
            .join(User, User.id == Message.sender_id)
            .outerjoin(Attachment, Attachment.id == Message.attachment_id)
            .where(Message.chat_id == chat_id, Message.deleted_at.is_(None), Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
    ).all()
    reacted = [row.id for row in rows if row.reacted]
    reactions: dict[int, dict[str, list[int]]] = {}
    if reacted:
        found = await session.execute(
            select(Reaction.message_id, Reaction.emoji, Reaction.user_id)
            .where(Reaction.message_id.in_(reacted))
            .order_by(Reaction.id)
        )
        for message_id, emoji, user_id in found:
            reactions.setdefault(message_id, {}).setdefault(emoji, []).append(user_id)
    return [
        MessageRecord(
            id=row.id,
            sender_id=row.sender_id,
            sender_username=row.username,
            sender_display_name=row.display_name,
            created_at=row.created_at,
            edited_at=row.edited_at,
            content=row.content,
            reply_to_id=row.reply_to_id,
            file=None
            if row.file_id is None
            else FileRecord(row.file_id, row.name, row.size, row.content_type, row.storage_key),
            reactions=[
                {"emoji": emoji, "user_ids": users}
                for emoji, users in reactions.get(row.id, {}).items()
            ],
        )
        for row in rows
    ]


async def account(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user
