from typing import Annotated

from pydantic import BaseModel, model_validator

from parley.attachments.schemas import AttachmentView
from parley.core.fields import UNICODE, IdField, Model, Timestamp, text_constraints
from parley.previews.schemas import LinkPreview

MAX_CONTENT = 4000
Content = Annotated[str, text_constraints(MAX_CONTENT), UNICODE]
ClientId = Annotated[str, text_constraints(64, min_length=1), UNICODE]
AttachmentUrl = Annotated[
    str, text_constraints(2048, min_length=1, pattern=r"^(/[^/]|https?://)"), UNICODE
]


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


class MessageIn(BaseModel):
    content: Content = ""
    attachment_url: AttachmentUrl | None = None
    client_id: ClientId | None = None

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
