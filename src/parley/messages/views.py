"""The one builder of ``MessageOut``: from ORM rows, plain rows or a fresh insert alike."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol, cast

from pydantic import TypeAdapter
from sqlalchemy import (
    Select,
    String,
    Table,
    bindparam,
    case,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.attachments.service import attachment_of
from parley.core.shapes import dict_serializer
from parley.db.models import Attachment, Mention, Message, Reaction
from parley.messages.schemas import EXCERPT_CHARS, MessageOut, ReactionCount
from parley.previews.links import might_link
from parley.previews.service import previews_of


class MessageRow(Protocol):
    """What the builder reads of a message: an ORM `Message`, or a plain row of its table."""

    @property
    def id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def sender_id(self) -> int: ...
    @property
    def content(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def edited_at(self) -> datetime | None: ...
    @property
    def is_read(self) -> bool: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def attachment_id(self) -> int | None: ...
    @property
    def reply_to_id(self) -> int | None: ...
    @property
    def reacted(self) -> bool: ...


MESSAGE = TypeAdapter(MessageOut)
# A page's extras (reply previews, reactions, mentions) come in one statement, or with
# the rows (`with_extras`): each is a round trip to the driver's thread or the database
# otherwise, and those cost more than the rows do.
# Rows: (kind, message id, user id, text, number); see `_extras`.
_REPLY, _REACTION, _MENTION = "r", "x", "m"
Extra = tuple[str, int, int, str, int]
_MESSAGES = cast(Table, Message.__table__)
_REACTIONS = cast(Table, Reaction.__table__)
_MENTIONS = cast(Table, Mention.__table__)
# Separators of the reaction and mention strings of `with_extras`: neither is in an emoji.
_ITEM, _FIELD = ";", ","
EXCERPT_SOURCE = 1000  # characters of the original read for its excerpt (whitespace folds)
_EXTRAS: dict[tuple[bool, bool, bool], Any] = {}


def _extras(replies: bool, reactions: bool, mentions: bool) -> Any:
    """The statement for the kinds a page needs, built once per combination."""
    key = (replies, reactions, mentions)
    if key not in _EXTRAS:
        parts = []
        if replies:
            deleted = case((Message.deleted_at.is_(None), 0), else_=1)
            parts.append(
                select(
                    literal(_REPLY).label("kind"),
                    Message.id.label("message_id"),
                    Message.sender_id.label("user_id"),
                    func.substr(Message.content, 1, EXCERPT_SOURCE).label("text"),
                    deleted.label("number"),
                ).where(Message.id.in_(bindparam("b_replies", expanding=True)))
            )
        if reactions:
            parts.append(
                select(
                    literal(_REACTION).label("kind"),
                    Reaction.message_id.label("message_id"),
                    Reaction.user_id.label("user_id"),
                    Reaction.emoji.label("text"),
                    Reaction.id.label("number"),
                ).where(Reaction.message_id.in_(bindparam("b_reacted", expanding=True)))
            )
        if mentions:
            parts.append(
                select(
                    literal(_MENTION).label("kind"),
                    Mention.message_id.label("message_id"),
                    Mention.user_id.label("user_id"),
                    literal("").label("text"),
                    literal(0).label("number"),
                ).where(Mention.message_id.in_(bindparam("b_mentioning", expanding=True)))
            )
        # Unordered: sorting a union costs MariaDB a temporary table and a sort; the
        # few hundred rows of a page are sorted here instead (`add_extras`).
        _EXTRAS[key] = union_all(*parts)
    return _EXTRAS[key]


MESSAGE_LIST = TypeAdapter(list[MessageOut])
_EXTRAS_ORDER = itemgetter(1, 4, 2)  # message id, number, user id
# Pages of history are written from their dicts, never validated (see parley.core.shapes).
MESSAGE_LIST_DICTS = dict_serializer(MESSAGE_LIST)


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
        # Filled by `add_extras` for the messages that have any.
        "reply_to": None,
        "reactions": [],
        "mentions": [],
    }


def excerpt(content: str, deleted: bool) -> str:
    """A reply's preview of its original: one line (whitespace runs folded), 100 characters."""
    return "" if deleted else " ".join(content.split())[:EXCERPT_CHARS]


# A message's fields with what `add_extras` needs to know of its row: the message it
# answers, and whether anyone ever reacted to it (the `reacted` hint).
Pending = tuple[dict[str, Any], int | None, bool]


def with_extras(query: Select[Any]) -> Select[Any]:
    """``query``, whose rows are of the messages table, with each row's extras as columns
    of the same statement, for `extras_of` to read.

    On MySQL a page's extras asked for by a statement of their own cost a round trip to
    the server, more than the rows did. Here the reply's original is a join, and the
    reactions (only of messages ever reacted to) and the mentions (only of text with
    an "@") each one string.
    """
    original = _MESSAGES.alias("original")
    reaction = (
        _REACTIONS.c.id.cast(String)
        + _FIELD
        + _REACTIONS.c.user_id.cast(String)
        + _FIELD
        + _REACTIONS.c.emoji  # last: a keycap emoji holds a digit, never a separator
    )
    reactions = (
        select(func.aggregate_strings(reaction, _ITEM))
        .where(_REACTIONS.c.message_id == _MESSAGES.c.id)
        .scalar_subquery()
    )
    mentions = (
        select(func.aggregate_strings(_MENTIONS.c.user_id.cast(String), _ITEM))
        .where(_MENTIONS.c.message_id == _MESSAGES.c.id)
        .scalar_subquery()
    )
    return query.outerjoin(original, original.c.id == _MESSAGES.c.reply_to_id).add_columns(
        original.c.sender_id.label("x_reply_sender"),
        func.substr(original.c.content, 1, EXCERPT_SOURCE).label("x_reply_text"),
        case((original.c.deleted_at.is_(None), 0), else_=1).label("x_reply_deleted"),
        case((_MESSAGES.c.reacted == true(), reactions)).label("x_reactions"),
        # Only text with "@" in it can mention anyone (as `_extras_rows` asks).
        case((func.instr(_MESSAGES.c.content, "@") > 0, mentions)).label("x_mentions"),
    )


def extras_of(rows: Iterable[Any]) -> Iterator[Extra]:
    """The extras of rows read by a `with_extras` statement, as `add_extras` rows."""
    for row in rows:
        if row.x_reply_sender is not None:
            yield _REPLY, row.reply_to_id, row.x_reply_sender, row.x_reply_text, row.x_reply_deleted
        if row.x_reactions:
            for item in row.x_reactions.split(_ITEM):
                reaction_id, user_id, emoji = item.split(_FIELD, 2)
                yield _REACTION, row.id, int(user_id), emoji, int(reaction_id)
        if row.x_mentions:
            for user_id in row.x_mentions.split(_ITEM):
                yield _MENTION, row.id, int(user_id), "", 0


async def add_extras(
    session: AsyncSession,
    viewer_id: int | None,
    pending: Sequence[Pending],
    extras: Iterable[Extra] | None = None,
) -> None:
    """Fill in reply previews, reactions and mentions of many messages at once.

    From ``extras`` when the messages were read with them (`with_extras`); otherwise
    one statement for all three, asking only for the kinds the messages have: only
    replies have previews, only messages ever reacted to have reactions, and only text
    with "@" in it can mention anyone. ``viewer_id`` is whose ``me`` the reactions carry.
    """
    if extras is None:
        extras = await _extras_rows(session, pending)
    # Reactions in order of first use (their ids), mentions by user id.
    rows = sorted(extras, key=_EXTRAS_ORDER)
    by_id = {fields["id"]: fields for fields, _, _ in pending}
    previews: dict[int, dict[str, Any]] = {}
    counts: dict[int, dict[str, dict[str, Any]]] = {}
    for kind, message_id, user_id, text, number in rows:
        if kind == _REPLY:
            deleted = bool(number)
            previews[message_id] = {
                "id": message_id,
                "sender_id": user_id,
                "excerpt": excerpt(text, deleted),
                "deleted": deleted,
            }
        elif kind == _REACTION:
            by_emoji = counts.setdefault(message_id, {})
            reaction = by_emoji.get(text)
            if reaction is None:
                reaction = by_emoji[text] = {"emoji": text, "count": 0, "me": False}
            reaction["count"] += 1
            reaction["me"] = reaction["me"] or user_id == viewer_id
        else:
            by_id[message_id]["mentions"].append(user_id)
    for fields, reply_to, _ in pending:
        if reply_to is not None:
            fields["reply_to"] = previews.get(reply_to)
    for message_id, by_emoji in counts.items():
        by_id[message_id]["reactions"] = list(by_emoji.values())


async def _extras_rows(session: AsyncSession, pending: Sequence[Pending]) -> list[Extra]:
    replies = sorted({reply_to for _, reply_to, _ in pending if reply_to is not None})
    reacted = [fields["id"] for fields, _, hint in pending if hint]
    mentioning = [fields["id"] for fields, _, _ in pending if "@" in fields["content"]]
    if not (replies or reacted or mentioning):
        return []
    statement = _extras(bool(replies), bool(reacted), bool(mentioning))
    params = {"b_replies": replies, "b_reacted": reacted, "b_mentioning": mentioning}
    result = await session.execute(statement, {k: v for k, v in params.items() if v})
    return [tuple(row) for row in result]


async def per_viewer(
    session: AsyncSession, message: MessageOut, members: frozenset[int]
) -> list[tuple[MessageOut, frozenset[int]]]:
    """The views of one message its members see, each with its (disjoint) audience.

    Only ``me`` of the reactions differs between people: those who reacted with the same
    set of emoji see the same thing. Without reactions everyone sees one view.
    """
    if not message.reactions:
        return [(message, members)]
    rows = await session.execute(
        select(Reaction.user_id, Reaction.emoji).where(Reaction.message_id == message.id)
    )
    mine: dict[int, set[str]] = {}
    for user_id, emoji in rows:
        mine.setdefault(user_id, set()).add(emoji)
    audiences: dict[frozenset[str], set[int]] = {}
    for member in members:
        audiences.setdefault(frozenset(mine.get(member, ())), set()).add(member)
    views = []
    for emoji_set, audience in audiences.items():
        reactions = [
            ReactionCount(emoji=r.emoji, count=r.count, me=r.emoji in emoji_set)
            for r in message.reactions
        ]
        views.append((message.model_copy(update={"reactions": reactions}), frozenset(audience)))
    return views


async def message_views(
    session: AsyncSession, links: Links, messages: Sequence[MessageRow], viewer_id: int | None
) -> list[MessageOut]:
    """MessageOut for each message as ``viewer_id`` sees it (see `message_dicts`)."""
    return MESSAGE_LIST.validate_python(await message_dicts(session, links, messages, viewer_id))


async def message_dicts(
    session: AsyncSession,
    links: Links,
    messages: Sequence[MessageRow],
    viewer_id: int | None,
    *,
    extras_in_rows: bool = False,
) -> list[dict[str, Any]]:
    """Each message as ``viewer_id`` sees it, MessageOut's fields in a plain dict, in a
    fixed number of queries.

    Attachments with their signed links, link previews, reply previews, reactions and
    mentions: one query each, skipped when no message of the page has any. The last
    three come with the rows when they were read by a `with_extras` statement.
    """
    ids = {m.attachment_id for m in messages if m.attachment_id is not None}
    found: dict[int, dict[str, Any]] = {}
    if ids:
        rows = await session.scalars(select(Attachment).where(Attachment.id.in_(ids)))
        found = {a.id: attachment_of(links, a) for a in rows.all()}
    previews = await previews_of(session, [m.id for m in messages if might_link(m.content)])
    pending = [
        (
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
            ),
            m.reply_to_id,
            m.reacted,
        )
        for m in messages
    ]
    extras = extras_of(messages) if extras_in_rows else None
    await add_extras(session, viewer_id, pending, extras)
    return [fields for fields, _, _ in pending]
