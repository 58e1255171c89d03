from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter, model_validator

from parley.core.fields import UNICODE, IdField, Model, Timestamp, text_constraints
from parley.core.shapes import dict_serializer
from parley.membership.service import Role
from parley.messages.schemas import MessageOut
from parley.notifications.rules import Notify
from parley.users.schemas import UserPublic

Title = Annotated[str, text_constraints(100, min_length=1, strip=True), UNICODE]


class MemberOut(Model):
    user: UserPublic
    role: Role


class ChatOut(Model):
    id: int
    is_group: bool
    title: str | None
    created_at: Timestamp
    members: list[MemberOut]
    last_message: MessageOut | None
    unread_count: int
    mention_count: int = 0  # my unread messages here that mention me
    # My own notification settings for this chat (see parley.notifications.rules).
    notify: Notify = "all"
    muted_until: Timestamp | None = None


CHAT = TypeAdapter(ChatOut)
CHAT_LIST = TypeAdapter(list[ChatOut])
# The chat list is written from its dicts, never validated (see parley.core.shapes).
CHAT_LIST_DICTS = dict_serializer(CHAT_LIST)


class ChatCreate(BaseModel):
    is_group: bool = False
    title: Title | None = None
    member_ids: Annotated[list[IdField], Field(max_length=1000)]

    @model_validator(mode="after")
    def _shape(self) -> "ChatCreate":
        if self.is_group:
            if self.title is None:
                raise ValueError("a group needs a title (1-100 characters)")
        elif len(self.member_ids) != 1:
            raise ValueError("a direct chat needs exactly one other member in member_ids")
        return self


class ChatUpdate(BaseModel):
    title: Title


class MemberUpdate(BaseModel):
    role: Literal["admin", "member"]


class MemberAdd(BaseModel):
    user_id: IdField
    role: Literal["admin", "member"] = "member"
