from typing import Annotated

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
