from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from parley.schemas import Model, Text

Username = Annotated[
    Text, StringConstraints(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_.]+$")
]
Password = Annotated[Text, Field(min_length=8, max_length=128)]
DisplayName = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class RegisterIn(BaseModel):
    username: Username
    email: Annotated[EmailStr, Field(max_length=254)]
    password: Password
    display_name: DisplayName | None = None


class LoginIn(BaseModel):
    # Any length is accepted here: a wrong guess gets 401, never a hint about the rules.
    username: Annotated[Text, Field(min_length=1, max_length=254)]
    password: Annotated[Text, Field(min_length=1, max_length=1024)]


class RefreshIn(BaseModel):
    refresh_token: Annotated[Text, Field(min_length=1, max_length=512)]


class LogoutIn(BaseModel):
    refresh_token: Annotated[Text, Field(max_length=512)] | None = None


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
    created_at: datetime
