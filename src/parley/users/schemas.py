from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from parley.auth.schemas import DisplayName
from parley.schemas import Model, Text


class UserPublic(Model):
    id: int
    username: str
    display_name: str
    online: bool | None = None
    last_seen_at: datetime | None = None


class UserUpdate(BaseModel):
    display_name: DisplayName | None = None
    password: Annotated[Text, Field(min_length=8, max_length=128)] | None = None
    current_password: Annotated[Text, Field(max_length=1024)] | None = None
