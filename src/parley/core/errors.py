"""The error catalogue: every failure a client can see has a status and a stable ``code``.

REST bodies are ``{"detail": ..., "code": ...}`` and socket ``error`` frames carry the same
codes, so a client can choose its words from the code and show ``detail`` for specifics.
Domain errors carry their status and code; the transports render them.
"""

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# code -> what it means. The HTTP statuses' codes come first; the socket-only ones after.
ERROR_CODES: dict[str, str] = {
    "bad_request": "the request could not be understood",
    "unauthorized": "missing, invalid or expired credentials",
    "forbidden": "not allowed for you",
    "not_found": "no such thing, or not yours to see",
    "method_not_allowed": "this path does not take that method",
    "conflict": "it already exists, or clashes with what does",
    "payload_too_large": "the body or file is over the limit",
    "unsupported_media_type": "this type of file is not accepted",
    "invalid_input": "a field of the request is wrong (details in `detail`)",
    "rate_limited": "too many requests; wait for Retry-After seconds",
    "internal": "the server failed; nothing was changed",
    "unavailable": "the database or another dependency is down; try again shortly",
    # Socket frames only.
    "bad_json": "a frame that is not valid JSON",
    "unknown_type": "a frame without a known type",
    "binary": "a binary frame (only JSON text frames are accepted)",
    "invalid": "a malformed connection parameter (`since`)",
}

# The code of each HTTP status Parley answers with.
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}

UNAVAILABLE_DETAIL = "the database is unavailable; try again shortly"


# What a transport catches around database work; `database_unavailable` sorts them.
DATABASE_ERRORS = (DBAPIError, PoolTimeout)


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot answer now (503 over REST, 1013 or an error frame on a socket).

    Anything else from the driver is a bug (500), not an outage to wait out.
    """
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def code_for(status: int) -> str:
    return STATUS_CODES.get(status, "internal" if status >= 500 else "bad_request")


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers: dict[str, str] | None = None

    @property
    def code(self) -> str:
        return code_for(self.status_code)

    def details(self) -> Any:
        """What goes in ``detail``: a sentence (422s override it with FastAPI's list)."""
        return self.detail


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class TooLarge(DomainError):
    status_code = 413


class UnsupportedType(DomainError):
    status_code = 415


class Unauthorized(DomainError):
    status_code = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class InvalidInput(DomainError):
    """A 422 found by a rule rather than by the schema; rendered in the schema's error shape."""

    status_code = 422

    def __init__(self, loc: tuple[str | int, ...], detail: str) -> None:
        super().__init__(detail)
        self.loc = loc

    def details(self) -> list[dict[str, Any]]:
        return [{"loc": list(self.loc), "msg": self.detail, "type": "value_error"}]
