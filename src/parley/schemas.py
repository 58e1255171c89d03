"""Field types shared by every domain's schemas."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
)

# Ids fit a signed 64-bit column; anything larger is bad input, not a database error.
MAX_ID = 2**63 - 1


def _no_surrogates(value: str) -> str:
    # A lone surrogate can be written in JSON but cannot be stored or encoded as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


# Goes last in an Annotated string type, after its StringConstraints (which trim first).
UNICODE = AfterValidator(_no_surrogates)


def text_constraints(
    max_length: int, *, min_length: int = 0, strip: bool = False, pattern: str | None = None
) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=strip, min_length=min_length, max_length=max_length, pattern=pattern
    )


# The contract writes UTC as "+00:00" (pydantic alone would write "Z").
Timestamp = Annotated[
    datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json")
]

IdField = Annotated[int, Field(gt=0, le=MAX_ID, strict=True)]
IdPath = Annotated[int, Path(gt=0, le=MAX_ID)]


class Model(BaseModel):
    """Response models are read straight from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    detail: str


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired credentials",
    403: "Not allowed",
    404: "Not found, or not yours to see",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported type",
    429: "Too many requests",
    503: "A dependency is unavailable",
}


_RETRY_AFTER: dict[str, object] = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
_HEADERS: dict[int, dict[str, object]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}


def error_responses(
    *codes: int, repeat_of: type[BaseModel] | None = None
) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the error statuses a route can answer with (and their headers).

    ``repeat_of`` documents the 200 an idempotent create answers when nothing new was made.
    """
    responses: dict[int | str, dict[str, object]] = {}
    for code in codes:
        entry: dict[str, object] = {"model": ErrorOut, "description": _DESCRIPTIONS[code]}
        if code in _HEADERS:
            entry["headers"] = _HEADERS[code]
        responses[code] = entry
    if repeat_of is not None:
        responses[200] = {"model": repeat_of, "description": "Already existed; nothing new made"}
    return responses


def json_response(adapter: TypeAdapter[Any], value: Any, status_code: int = 200) -> Response:
    """Write models we built ourselves straight to JSON.

    FastAPI would validate a returned value against the response model all over again,
    which for a long chat list costs more than building it.
    """
    return Response(
        adapter.dump_json(value), status_code=status_code, media_type="application/json"
    )
