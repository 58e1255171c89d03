"""What the routes answer with besides their models: documented errors, pre-built JSON."""

from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import SchemaSerializer

from parley.core.errors import ERROR_CODES
from parley.core.fields import MAX_ID

IdPath = Annotated[int, Path(gt=0, le=MAX_ID)]


class ErrorOut(BaseModel):
    detail: str
    code: str = Field(description="Stable, machine-readable: " + ", ".join(ERROR_CODES))


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


def dicts_response(serializer: SchemaSerializer, value: Any) -> Response:
    """Write plain dicts built in a response model's shape (see parley.core.shapes)."""
    return Response(serializer.to_json(value), media_type="application/json")
