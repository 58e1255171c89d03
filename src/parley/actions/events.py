"""The catalogue of every server → client event (``../shared/API.md``, "Server → client").

Each event is a typed model, built only by calling it; its JSON is written once, by
``encode``, and the same text goes to every recipient's socket. Nothing else builds an
event dict. Events of chats are recorded on the unit of work (``record``) and published
after its commit; replies to one socket (``message.ack``, ``error``, ``pong``) are written
to that socket only, after the work they answer has committed.
"""

from collections.abc import Iterable
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from parley.chats.schemas import ChatOut
from parley.core.events import Event
from parley.core.fields import Timestamp
from parley.exports.schemas import ExportOut
from parley.messages.schemas import MessageOut
from parley.notifications.rules import Notify
from parley.notifications.schemas import NotificationSettings


class ServerEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: str
    # Optional fields the contract leaves out, rather than sending null, when unset.
    omitted_when_none: ClassVar[frozenset[str]] = frozenset()

    def encode(self) -> str:
        unset = {name for name in self.omitted_when_none if getattr(self, name) is None}
        return self.model_dump_json(exclude=unset or None)

    def chat_scope(self) -> int | None:
        """The chat it belongs to: per-chat sockets get only their chat's events."""
        chat_id = getattr(self, "chat_id", None)
        return chat_id if isinstance(chat_id, int) else None

    def to(self, recipients: Iterable[int]) -> Event:
        """The envelope that carries this event to ``recipients`` on every node."""
        return Event(
            type=self.type,
            frame=self.encode(),
            recipients=frozenset(recipients),
            chat_id=self.chat_scope(),
            message_id=self.replayed_id(),
        )

    def replayed_id(self) -> int | None:
        """The message a `since` replay may already have sent (message.new only)."""
        return None


class MessageAck(ServerEvent):
    type: Literal["message.ack"] = "message.ack"
    client_id: str | None
    message: MessageOut


class MessageNew(ServerEvent):
    type: Literal["message.new"] = "message.new"
    chat_id: int
    message: MessageOut

    def replayed_id(self) -> int | None:
        return self.message.id


class MessageUpdated(ServerEvent):
    type: Literal["message.updated"] = "message.updated"
    chat_id: int
    message: MessageOut


class MessageDeleted(ServerEvent):
    type: Literal["message.deleted"] = "message.deleted"
    chat_id: int
    message_id: int


class ReactionAdded(ServerEvent):
    type: Literal["reaction.added"] = "reaction.added"
    chat_id: int
    message_id: int
    emoji: str
    user_id: int


class ReactionRemoved(ServerEvent):
    type: Literal["reaction.removed"] = "reaction.removed"
    chat_id: int
    message_id: int
    emoji: str
    user_id: int


class ChatRead(ServerEvent):
    type: Literal["chat.read"] = "chat.read"
    chat_id: int
    user_id: int
    message_id: int


class Typing(ServerEvent):
    type: Literal["typing"] = "typing"
    chat_id: int
    user_id: int


class Presence(ServerEvent):
    type: Literal["presence"] = "presence"
    user_id: int
    online: bool
    last_seen_at: Timestamp | None = None  # when going offline
    omitted_when_none = frozenset({"last_seen_at"})


class _ChatEvent(ServerEvent):
    chat: ChatOut  # unread_count is the actor's own; receivers keep their own count

    def chat_scope(self) -> int | None:
        return self.chat.id


class ChatCreated(_ChatEvent):
    type: Literal["chat.created"] = "chat.created"


class ChatUpdated(_ChatEvent):
    type: Literal["chat.updated"] = "chat.updated"


class MemberAdded(ServerEvent):
    type: Literal["member.added"] = "member.added"
    chat_id: int
    user_id: int


class MemberRemoved(ServerEvent):
    type: Literal["member.removed"] = "member.removed"
    chat_id: int
    user_id: int


class ChatSettings(ServerEvent):
    """My own view of a chat changed (v1.1): sent to my sockets only, every device agrees."""

    type: Literal["chat.settings"] = "chat.settings"
    chat_id: int
    notify: Notify
    muted_until: Timestamp | None


class NotificationsSettings(ServerEvent):
    """My account-wide notification settings changed (docs/API-EXTENSIONS.md): to me only."""

    type: Literal["notifications.settings"] = "notifications.settings"
    settings: NotificationSettings


class ExportProgress(ServerEvent):
    """An export of mine moved on: started, about every tenth of the way, done or failed
    (docs/API-EXTENSIONS.md): to my own sockets only."""

    type: Literal["export.progress"] = "export.progress"
    export: ExportOut


class Error(ServerEvent):
    """A frame that failed; ``code`` is one of `parley.core.errors.ERROR_CODES`."""

    type: Literal["error"] = "error"
    code: str
    detail: str
    client_id: str | None = None  # the failed message.send's, when it had one
    omitted_when_none = frozenset({"client_id"})


class Pong(ServerEvent):
    type: Literal["pong"] = "pong"


# Every event by its wire name; tests compare it with API.md and the client's list.
CATALOGUE: dict[str, type[ServerEvent]] = {
    str(model.model_fields["type"].default): model
    for model in (
        MessageAck,
        MessageNew,
        MessageUpdated,
        MessageDeleted,
        ReactionAdded,
        ReactionRemoved,
        ChatRead,
        Typing,
        Presence,
        ChatCreated,
        ChatUpdated,
        MemberAdded,
        MemberRemoved,
        ChatSettings,
        NotificationsSettings,
        ExportProgress,
        Error,
        Pong,
    )
}
