from datetime import datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, Field

from parley.core.fields import UNICODE, Model, Timestamp, text_constraints
from parley.notifications.schemas import NotificationSettings

Username = Annotated[str, text_constraints(32, min_length=3, pattern=r"^[A-Za-z0-9_.]+$"), UNICODE]
Password = Annotated[str, text_constraints(128, min_length=8), UNICODE]
DisplayName = Annotated[str, text_constraints(64, min_length=1, strip=True), UNICODE]
Device = Annotated[str, text_constraints(100, strip=True), UNICODE]
Registration = Literal["open", "invite", "closed"]


def _email_syntax(value: str) -> str:
    """Syntax only: a server on a private network may serve `corp.local` or `home.lan`
    addresses, so nothing is looked up and special-use domains (.local, .test, ...) pass.

    email-validator refuses those whatever its options; for them the same checks run on
    the address with a neutral label appended (every label of the real domain is still
    checked), and the address is kept as given.
    """
    try:
        return _valid(value)
    except EmailNotValidError as exc:
        if "special-use" not in str(exc):
            raise ValueError(f"value is not a valid email address: {exc}") from None
    try:
        return _valid(value + _NEUTRAL).removesuffix(_NEUTRAL)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from None


_NEUTRAL = ".example"


def _valid(value: str) -> str:
    parts = validate_email(value, check_deliverability=False, globally_deliverable=False)
    return parts.normalized


Email = Annotated[str, text_constraints(254, min_length=1), UNICODE, AfterValidator(_email_syntax)]
Token64 = Annotated[str, text_constraints(128, min_length=1), UNICODE]


class RegisterIn(BaseModel):
    username: Username
    # Optional only where the server allows accounts without e-mail (checked by the rule).
    email: Email | None = None
    password: Password
    display_name: DisplayName | None = None
    invite: Token64 | None = None


class LoginIn(BaseModel):
    # Any length is accepted here: a wrong guess gets 401, never a hint about the rules.
    username: Annotated[str, text_constraints(254, min_length=1), UNICODE]
    password: Annotated[str, text_constraints(1024, min_length=1), UNICODE]
    # What the client calls itself ("Chrome on Linux"), shown in the list of sessions.
    device: Device | None = None


class ResetIn(BaseModel):
    token: Token64
    password: Password


class AuthOptions(BaseModel):
    """What a sign-up form needs to know before asking anything."""

    registration: Registration
    email_required: bool
    first_account: bool  # no account yet: whoever registers first becomes the admin


class SessionOut(Model):
    id: int
    device: str | None
    address: str | None
    created_at: Timestamp
    last_active_at: Timestamp
    current: bool


class InviteIn(BaseModel):
    max_uses: Annotated[int, Field(ge=1, le=10_000)] | None = 1  # null: unlimited
    expires_in_hours: Annotated[int, Field(ge=1, le=720)] = 7 * 24


class Joined(Model):
    id: int
    username: str
    display_name: str


class InviteOut(BaseModel):
    token: str
    url: str
    max_uses: int | None
    uses: int
    expires_at: Timestamp
    created_at: Timestamp
    revoked: bool
    joined: list[Joined]


class LinkOut(BaseModel):
    """A one-time link an admin hands over (a password reset)."""

    url: str
    token: str
    expires_at: Timestamp


class Issued(BaseModel):
    """A secret made by a rule, before the transport turns it into a link."""

    token: str
    expires_at: datetime


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
    email: str | None
    display_name: str
    created_at: Timestamp
    is_admin: bool
    avatar_url: str | None = None  # read from User.avatar_url
    notifications: NotificationSettings  # read from User.notifications
