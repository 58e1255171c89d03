from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from parley.core.fields import UNICODE, Model, Timestamp, text_constraints
from parley.notifications.schemas import NotificationSettings

Username = Annotated[str, text_constraints(32, min_length=3, pattern=r"^[A-Za-z0-9_.]+$"), UNICODE]
Password = Annotated[str, text_constraints(128, min_length=8), UNICODE]
DisplayName = Annotated[str, text_constraints(64, min_length=1, strip=True), UNICODE]


class RegisterIn(BaseModel):
    username: Username
    email: Annotated[EmailStr, Field(max_length=254)]
    password: Password
    display_name: DisplayName | None = None


class LoginIn(BaseModel):
    # Any length is accepted here: a wrong guess gets 401, never a hint about the rules.
    username: Annotated[str, text_constraints(254, min_length=1), UNICODE]
    password: Annotated[str, text_constraints(1024, min_length=1), UNICODE]


class RefreshIn(BaseModel):
    refresh_token: Annotated[str, text_constraints(512, min_length=1), UNICODE]


class LogoutIn(BaseModel):
    refresh_token: Annotated[str, text_constraints(512), UNICODE] | None = None


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str


class UserOut(Model):
    id: int
    username: str
    email: str
    display_name: str
    created_at: Timestamp
    avatar_url: str | None = None  # read from User.avatar_url
    notifications: NotificationSettings  # read from User.notifications
