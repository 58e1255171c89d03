"""Direct and group chats, member changes and roles, and the chat list.

The rules only: the actions (`parley.actions.chats`) record the events.
"""

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.attachments.service import attachment_fields
from parley.chats.schemas import CHAT, ChatOut
from parley.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from parley.db.models import Attachment, Chat, ChatUser, Mention, Message, User, avatar_url
from parley.db.rows import named_rows
from parley.db.types import utcnow
from parley.membership.service import CHAT_NOT_FOUND, MANAGERS, member_ids, require_member
from parley.messages.views import Pending, add_extras, message_fields
from parley.previews.links import might_link
from parley.previews.service import previews_of


@dataclass(frozen=True)
class Views:
    """What rendering a chat needs beyond the database: who is online, and link signing."""

    online: Container[int]
    links: Links


async def _require_users(session: AsyncSession, user_ids: set[int]) -> None:
    found = set((await session.scalars(select(User.id).where(User.id.in_(user_ids)))).all())
    if missing := user_ids - found:
        raise NotFound(f"user {min(missing)} not found")


def _direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


async def create_direct(
    session: AsyncSession, me: User, other_id: int, views: Views
) -> tuple[ChatOut, bool]:
    """The direct chat between two people: created once, returned ever after."""
    me_id = me.id  # read before any rollback expires the object
    if other_id == me_id:
        raise InvalidInput(("body", "member_ids"), "a direct chat needs someone other than you")
    key = _direct_key(me_id, other_id)
    existing = await session.scalar(select(Chat).where(Chat.direct_key == key))
    if existing is not None:
        return await chat_view(session, me_id, existing.id, views), False
    await _require_users(session, {other_id})
    chat = Chat(is_group=False, direct_key=key)
    chat.members = [ChatUser(user_id=me_id, role="member"), ChatUser(user_id=other_id)]
    session.add(chat)
    try:
        await session.flush()
    except IntegrityError:
        # The same pair raced us; the unique key kept one chat, so return it.
        await session.rollback()
        existing = await session.scalar(select(Chat).where(Chat.direct_key == key))
        if existing is None:
            raise
        return await chat_view(session, me_id, existing.id, views), False
    return await chat_view(session, me_id, chat.id, views), True


async def create_group(
    session: AsyncSession,
    me: User,
    title: str,
    member_ids_: Sequence[int],
    views: Views,
    max_members: int,
) -> ChatOut:
    others = set(member_ids_) - {me.id}
    if len(others) + 1 > max_members:
        raise InvalidInput(("body", "member_ids"), f"a group holds at most {max_members} members")
    if others:
        await _require_users(session, others)
    chat = Chat(is_group=True, title=title)
    chat.members = [ChatUser(user_id=me.id, role="owner")] + [
        ChatUser(user_id=uid, role="member") for uid in sorted(others)
    ]
    session.add(chat)
    await session.flush()
    return await chat_view(session, me.id, chat.id, views)


async def list_chats(session: AsyncSession, me_id: int, views: Views) -> list[dict[str, Any]]:
    """Every chat of the user, most recent activity first, in a fixed number of queries.

    ChatOut's fields in plain dicts, for `CHAT_LIST_DICTS` to write: the longest answer
    Parley gives is never validated, only written."""
    return await _view_dicts(session, me_id, _MY_CHATS, {"b_me": me_id}, views)


async def get_chat(session: AsyncSession, me_id: int, chat_id: int, views: Views) -> ChatOut:
    await require_member(session, chat_id, me_id)
    return await chat_view(session, me_id, chat_id, views)


async def chat_view(session: AsyncSession, me_id: int, chat_id: int, views: Views) -> ChatOut:
    params = {"b_me": me_id, "b_chat": chat_id}
    found = await _view_dicts(session, me_id, _ONE_CHAT, params, views)
    if not found:
        raise NotFound(CHAT_NOT_FOUND)
    return CHAT.validate_python(found[0])


def _chat_rows() -> Select[*tuple[Any, ...]]:
    """One row per chat: the chat, my read marker (0 if I am not in it), its last message.

    Me is the bound parameter ``b_me``; the statements are built once (below).
    """
    return (
        select(
            Chat.id,
            Chat.is_group,
            Chat.title,
            Chat.created_at,
            func.coalesce(ChatUser.last_read_message_id, 0).label("read"),
            ChatUser.notify,
            ChatUser.muted_until,
            Message.id.label("last_id"),
            Message.sender_id,
            Message.content,
            Message.created_at.label("sent_at"),
            Message.edited_at,
            Message.is_read,
            Message.client_id,
            Message.reply_to_id,
            Message.reacted,
            Attachment.id.label("attachment_id"),
            Attachment.name,
            Attachment.size,
            Attachment.content_type,
            Attachment.thumbnail_key,
        )
        .outerjoin(
            ChatUser, and_(ChatUser.chat_id == Chat.id, ChatUser.user_id == bindparam("b_me"))
        )
        .outerjoin(Message, Message.id == Chat.last_message_id)
        .outerjoin(Attachment, Attachment.id == Message.attachment_id)
    )


_MY_CHATS = (
    _chat_rows()
    .where(ChatUser.user_id == bindparam("b_me"))
    .order_by(Chat.last_activity_at.desc(), Chat.id.desc())
)
_ONE_CHAT = _chat_rows().where(Chat.id == bindparam("b_chat"))
_MEMBERS = (
    select(
        ChatUser.chat_id,
        ChatUser.role,
        User.id,
        User.username,
        User.display_name,
        User.last_seen_at,
        User.avatar_key,
    )
    .join(User, User.id == ChatUser.user_id)
    .where(ChatUser.chat_id.in_(bindparam("b_chats", expanding=True)))
    .order_by(ChatUser.chat_id, ChatUser.joined_at, ChatUser.user_id)
)


async def _view_dicts(
    session: AsyncSession,
    me_id: int,
    query: Select[*tuple[Any, ...]],
    params: dict[str, int],
    views: Views,
) -> list[dict[str, Any]]:
    """ChatOut's fields for each chat ``query`` (a ``_chat_rows``) finds: members, last
    message, unread, in plain dicts (building hundreds of nested models one by one in
    Python made the chat list CPU-bound)."""
    chats = named_rows(await session.execute(query, params))
    if not chats:
        return []
    members: dict[int, list[dict[str, Any]]] = {row.id: [] for row in chats}
    users: dict[int, dict[str, Any]] = {}  # one dict per person, however many chats they share
    member_rows = await session.execute(_MEMBERS, {"b_chats": list(members)})
    for chat_id, role, user_id, username, display_name, last_seen_at, avatar in member_rows:
        user = users.get(user_id)
        if user is None:
            user = users[user_id] = {
                "id": user_id,
                "username": username,
                "display_name": display_name,
                "online": user_id in views.online,
                "last_seen_at": last_seen_at,
                "avatar_url": avatar_url(user_id, avatar),
            }
        members[chat_id].append({"user": user, "role": role})
    unread = await _unread_counts(
        session, me_id, [(row.id, row.read) for row in chats if (row.last_id or 0) > row.read]
    )
    # The last messages' link previews: one query, and none when no last message has a link.
    previews = await previews_of(
        session, [row.last_id for row in chats if row.last_id and might_link(row.content or "")]
    )
    now = utcnow()
    out = []
    last_messages: list[Pending] = []
    for row in chats:
        last = None
        if row.last_id is not None:
            attachment = None
            if row.attachment_id is not None:
                attachment = attachment_fields(
                    views.links,
                    row.attachment_id,
                    row.name,
                    row.size,
                    row.content_type,
                    row.thumbnail_key,
                )
            last = message_fields(
                id=row.last_id,
                chat_id=row.id,
                sender_id=row.sender_id,
                content=row.content,
                created_at=row.sent_at,
                edited_at=row.edited_at,
                is_read=row.is_read,
                client_id=row.client_id,
                attachment_id=row.attachment_id,
                attachment=attachment,
                preview=previews.get(row.last_id),
            )
            last_messages.append((last, row.reply_to_id, row.reacted))
        unread_count, mention_count = unread.get(row.id, (0, 0))
        out.append(
            {
                "id": row.id,
                "is_group": row.is_group,
                "title": row.title,
                "created_at": row.created_at,
                "members": members[row.id],
                "last_message": last,
                "unread_count": unread_count,
                "mention_count": mention_count,
                # Read from the same row: no query per chat. A mute that has run out shows
                # as none; outside the chat (never shown to me) the defaults.
                "notify": row.notify or "all",
                "muted_until": row.muted_until
                if row.muted_until and row.muted_until > now
                else None,
            }
        )
    # The last messages' replies, reactions and mentions: a query each, for all chats.
    await add_extras(session, me_id, last_messages)
    return out


async def _unread_counts(
    session: AsyncSession, me_id: int, behind: Sequence[tuple[int, int]]
) -> dict[int, tuple[int, int]]:
    """Others' live messages past my marker, and how many of them mention me, for the
    (chat, marker) pairs that have any.

    Each chat gets its own constant bounds, so both databases range-scan the
    (chat_id, id) index over unread rows only, however long the chat's history; the
    mentions are a primary-key lookup per unread row in the same query.
    """
    if not behind:
        return {}
    size = _bucket(len(behind))
    params: dict[str, int] = {"b_me": me_id}
    for i in range(size):
        # Padding: chat 0 does not exist, so its range is one empty index probe.
        params[f"b_c{i}"], params[f"b_r{i}"] = behind[i] if i < len(behind) else (0, 0)
    rows = await session.execute(_unread_statement(size), params)
    return {chat_id: (count, mentions) for chat_id, count, mentions in rows.all()}


_UNREAD: dict[int, Select[int, int, int]] = {}


def _bucket(n: int) -> int:
    """The statement size for ``n`` chats: the next power of two (at most 256), then the
    next multiple of 256, so a handful of statements serve every chat list."""
    return 1 << (n - 1).bit_length() if n <= 256 else -(-n // 256) * 256


def _unread_statement(size: int) -> Select[int, int, int]:
    """The counting statement for ``size`` (chat, marker) pairs, built once per size.

    Building it per call (200 chats: 400 comparisons, their cache key and compilation)
    was most of the chat list's CPU.
    """
    statement = _UNREAD.get(size)
    if statement is None:
        me = bindparam("b_me", type_=Integer)
        ranges = or_(
            *(
                and_(Message.chat_id == bindparam(f"b_c{i}"), Message.id > bindparam(f"b_r{i}"))
                for i in range(size)
            )
        )
        statement = _UNREAD[size] = (
            select(Message.chat_id, func.count(), func.count(Mention.user_id))
            .outerjoin(Mention, and_(Mention.message_id == Message.id, Mention.user_id == me))
            .where(ranges, Message.sender_id != me, Message.deleted_at.is_(None))
            .group_by(Message.chat_id)
        )
    return statement


async def _require_manager(session: AsyncSession, chat_id: int, me_id: int) -> tuple[Chat, str]:
    membership = await require_member(session, chat_id, me_id)
    chat = await session.get(Chat, chat_id, with_for_update=True)
    if chat is None:
        raise NotFound(CHAT_NOT_FOUND)
    if not chat.is_group:
        raise Forbidden("direct chats have no titles or member changes")
    if membership.role not in MANAGERS:
        raise Forbidden("only the group's owner or admins may do this")
    return chat, membership.role


async def rename(
    session: AsyncSession, me: User, chat_id: int, title: str, views: Views
) -> ChatOut:
    chat, _ = await _require_manager(session, chat_id, me.id)
    chat.title = title
    await session.flush()
    return await chat_view(session, me.id, chat.id, views)


async def add_member(
    session: AsyncSession,
    me: User,
    chat_id: int,
    user_id: int,
    role: str,
    views: Views,
    max_members: int,
) -> ChatOut:
    chat, my_role = await _require_manager(session, chat_id, me.id)
    if role == "admin" and my_role != "owner":
        raise Forbidden("only the owner may add admins")
    await _require_users(session, {user_id})
    current = await member_ids(session, chat_id)
    if user_id in current:
        raise Conflict("user is already a member")
    if len(current) >= max_members:
        raise InvalidInput(("body", "user_id"), f"a group holds at most {max_members} members")
    session.add(ChatUser(chat_id=chat_id, user_id=user_id, role=role))
    try:
        await session.flush()
    except IntegrityError:
        # Added by a request racing this one: the primary key kept one membership.
        raise Conflict("user is already a member") from None
    return await chat_view(session, me.id, chat.id, views)


async def set_role(
    session: AsyncSession, me: User, chat_id: int, user_id: int, role: str, views: Views
) -> ChatOut:
    """Make a member an admin or an admin a member again: the owner's call alone.

    Only the owner may add admins (`add_member`), so only the owner may make them; an
    admin who could promote others could also promote past the owner's choices.
    """
    chat, my_role = await _require_manager(session, chat_id, me.id)
    if my_role != "owner":
        raise Forbidden("only the owner may make or unmake admins")
    target = await session.get(ChatUser, (chat_id, user_id))
    if target is None:
        raise NotFound("user is not a member of this chat")
    if target.role == "owner":
        raise Forbidden("the owner's role cannot be changed")
    target.role = role
    await session.flush()
    return await chat_view(session, me.id, chat.id, views)


async def remove_member(
    session: AsyncSession, me: User, chat_id: int, user_id: int
) -> frozenset[int]:
    """Managers remove others (admins only plain members); anyone may leave a group.

    Returns the members before the removal: they all hear of it, the removed one too.
    """
    mine = await require_member(session, chat_id, me.id)
    chat = await session.get(Chat, chat_id, with_for_update=True)
    if chat is None:
        raise NotFound(CHAT_NOT_FOUND)
    if not chat.is_group:
        raise Forbidden("nobody can leave or be removed from a direct chat")
    target = mine if user_id == me.id else await session.get(ChatUser, (chat_id, user_id))
    if target is None:
        raise NotFound("user is not a member of this chat")
    if target is not mine:
        if mine.role not in MANAGERS:
            raise Forbidden("only the group's owner or admins may remove members")
        if mine.role == "admin" and target.role != "member":
            raise Forbidden("admins may remove only members")
    recipients = await member_ids(session, chat_id)
    await session.delete(target)
    await session.flush()
    if target.role == "owner":
        await _hand_over_ownership(session, chat_id)
    return recipients


async def _hand_over_ownership(session: AsyncSession, chat_id: int) -> None:
    """A group keeps an owner: the longest-serving admin, else the longest-serving member."""
    heir = await session.scalar(
        select(ChatUser)
        .where(ChatUser.chat_id == chat_id)
        .order_by((ChatUser.role == "admin").desc(), ChatUser.joined_at, ChatUser.user_id)
        .limit(1)
    )
    if heir is not None:
        heir.role = "owner"
        await session.flush()
