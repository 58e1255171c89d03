"""Wire shapes of a person's notification settings (see docs/API-EXTENSIONS.md)."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives.asymmetric import ec
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
    push_previews: Annotated[bool, Field(strict=True)] | None = None

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
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a timestamp with a time zone (e.g. 2026-01-01T08:00:00+00:00)")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("a timestamp before the year 10000 (in UTC)") from None


def _b64url_bytes(length: int) -> AfterValidator:
    def check(value: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (ValueError, binascii.Error):
            raise ValueError("not URL-safe base64") from None
        if len(raw) != length:
            raise ValueError(f"must encode {length} bytes")
        return value

    return AfterValidator(check)


class SubscriptionKeys(BaseModel):
    # The browser's ECDH public key (an uncompressed P-256 point) and its auth secret.
    p256dh: Annotated[str, text_constraints(128, pattern=r"^[A-Za-z0-9_\-=]+$"), _b64url_bytes(65)]
    auth: Annotated[str, text_constraints(64, pattern=r"^[A-Za-z0-9_\-=]+$"), _b64url_bytes(16)]

    @field_validator("p256dh")
    @classmethod
    def _on_the_curve(cls, value: str) -> str:
        point = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError:
            raise ValueError("must be an uncompressed P-256 point") from None
        return value


class SubscriptionIn(BaseModel):
    """``PushSubscription.toJSON()`` as a browser gives it, and a name for the device."""

    endpoint: Annotated[str, text_constraints(2048, min_length=1), UNICODE]
    keys: SubscriptionKeys
    device: Annotated[str, text_constraints(100, min_length=1, strip=True), UNICODE] | None = None


class SubscriptionRef(BaseModel):
    endpoint: Annotated[str, text_constraints(2048, min_length=1), UNICODE]


class VapidKeyOut(BaseModel):
    vapid_public_key: str


class DeliveryOut(Model):
    at: Timestamp
    message_id: int | None  # null: a test notification
    status: int | None  # the push service's HTTP status; null when it gave none
    error: str | None


class SubscriptionOut(Model):
    id: int
    endpoint: str
    device: str | None
    created_at: Timestamp
    deliveries: list[DeliveryOut]  # newest first


class TestPushOut(BaseModel):
    devices: int  # subscriptions the test notification was queued for
