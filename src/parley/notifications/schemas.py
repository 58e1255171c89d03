"""Wire shapes of a person's notification settings (see docs/API-EXTENSIONS.md)."""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from parley.core.fields import UNICODE, IdField, Model, Timestamp, text_constraints
from parley.notifications.rules import Notify

# "HH:MM", 24-hour wall-clock time.
ClockTime = Annotated[str, text_constraints(5, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
MAX_ALLOWED = 100


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r} (e.g. Europe/Berlin)") from None
    return name


TimeZone = Annotated[str, text_constraints(64, min_length=1), UNICODE, AfterValidator(_known_zone)]


class QuietHoursIO(BaseModel):
    start: ClockTime
    end: ClockTime
    time_zone: TimeZone

    @model_validator(mode="after")
    def _not_empty(self) -> "QuietHoursIO":
        if self.start == self.end:
            raise ValueError("quiet hours need an end different from their start")
        return self


class NotificationSettings(Model):
    """Returned in /auth/me (``notifications``) and by /users/me/notifications."""

    quiet_hours: QuietHoursIO | None
    allowed_user_ids: list[int]
    push_previews: bool


class NotificationSettingsIn(BaseModel):
    """Only the fields sent change; ``"quiet_hours": null`` turns quiet hours off."""

    quiet_hours: QuietHoursIO | None = None
    allowed_user_ids: Annotated[list[IdField], Field(max_length=MAX_ALLOWED)] | None = None
    push_previews: bool | None = None

    @field_validator("allowed_user_ids", "push_previews", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class ChatSettingsIn(BaseModel):
    """``PATCH /chats/{id}/settings``: only the fields sent change; null unmutes."""

    notify: Notify | None = None
    muted_until: Timestamp | None = None

    @field_validator("notify", mode="before")
    @classmethod
    def _notify_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @field_validator("muted_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("a timestamp with a time zone (e.g. 2026-01-01T08:00:00+00:00)")
        return value
