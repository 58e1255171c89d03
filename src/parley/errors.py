"""Domain errors carry their status code; one handler renders them as ``{"detail": ...}``."""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers: dict[str, str] | None = None


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


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

    def errors(self) -> list[dict[str, Any]]:
        return [{"loc": list(self.loc), "msg": self.detail, "type": "value_error"}]
