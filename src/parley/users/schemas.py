from typing import Annotated, Literal

from pydantic import BaseModel

from parley.auth.schemas import DisplayName, Password
from parley.core.fields import UNICODE, Model, Timestamp, text_constraints


class UserPublic(Model):
    id: int
    username: str
    display_name: str
    online: bool | None = None
    last_seen_at: Timestamp | None = None
    # Null, or a URL relative to the server that works in <img> (see docs/API-EXTENSIONS.md).
    avatar_url: str | None = None


class UserUpdate(BaseModel):
    display_name: DisplayName | None = None
    password: Password | None = None
    current_password: Annotated[str, text_constraints(1024), UNICODE] | None = None


class AdminUserOut(BaseModel):
    """An account as its server's administrators see it."""

    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    is_active: bool
    created_at: Timestamp
    last_seen_at: Timestamp | None
    active_sessions: int


class ServerOut(BaseModel):
    users: int
    active_users: int
    admins: int
    chats: int
    messages: int
    attachments: int
    attachment_bytes: int
    nodes_online: int
    registration: Literal["open", "invite", "closed"]
    email_required: bool
    version: str


class ServerPatch(BaseModel):
    email_required: bool | None = None
