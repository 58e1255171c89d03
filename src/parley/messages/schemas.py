from typing import Annotated

import emoji as emoji_data
from pydantic import AfterValidator, BaseModel, Field, model_validator

from parley.attachments.schemas import AttachmentView
from parley.core.fields import UNICODE, IdField, Model, Timestamp, text_constraints
from parley.previews.schemas import LinkPreview

MAX_CONTENT = 4000
Content = Annotated[str, text_constraints(MAX_CONTENT), UNICODE]
ClientId = Annotated[str, text_constraints(64, min_length=1), UNICODE]
AttachmentUrl = Annotated[
    str, text_constraints(2048, min_length=1, pattern=r"^(/[^/]|https?://)"), UNICODE
]


# Unicode's longest emoji (families, kisses with skin tones) are 10 code points.
MAX_EMOJI_CHARS = 16


def _one_emoji(value: str) -> str:
    if len(value) > MAX_EMOJI_CHARS:
        raise ValueError(f"an emoji is at most {MAX_EMOJI_CHARS} characters")
    # The `emoji` package's list follows Unicode's: one emoji, optionally with a variation
    # selector, skin tone or ZWJ sequence; text, several emoji or broken bytes are not.
    if not emoji_data.is_emoji(value):
        raise ValueError("must be exactly one emoji")
    return value


Emoji = Annotated[str, AfterValidator(_one_emoji)]


class ReplyPreview(Model):
    """The message a reply answers, as it is now (an edit or delete of it shows)."""

    id: int
    sender_id: int
    excerpt: str  # at most EXCERPT_CHARS; empty once the original is deleted
    deleted: bool


EXCERPT_CHARS = 100


class ReactionCount(Model):
    emoji: str
    count: int
    me: bool  # the viewer is among those who reacted


class ReactionUsers(Model):
    """Who reacted to a message with one emoji."""

    emoji: str
    user_ids: list[int]  # in the order they reacted


class MessageOut(Model):
    id: int
    chat_id: int
    sender_id: int
    content: str
    attachment_url: str | None
    created_at: Timestamp
    edited_at: Timestamp | None
    is_read: bool
    client_id: str | None
    attachment: AttachmentView | None = None
    preview: LinkPreview | None = None  # of the first link, once the server has fetched it
    reply_to: ReplyPreview | None = None
    reactions: list[ReactionCount] = Field(default_factory=list)  # ordered by first use
    mentions: list[int] = Field(default_factory=list)  # user ids, ascending


class MessageIn(BaseModel):
    content: Content = ""
    attachment_url: AttachmentUrl | None = None
    client_id: ClientId | None = None
    reply_to_id: IdField | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "MessageIn":
        if not self.content.strip() and self.attachment_url is None:
            raise ValueError("content must not be empty unless an attachment is sent")
        return self


class MessageEdit(BaseModel):
    content: Content

    @model_validator(mode="after")
    def _not_empty(self) -> "MessageEdit":
        if not self.content.strip():
            raise ValueError("content must not be empty")
        return self


class ReadIn(BaseModel):
    message_id: IdField
