"""Field types shared by every domain's schemas."""

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Ids fit a signed 64-bit column; anything larger is bad input, not a database error.
MAX_ID = 2**63 - 1


def _no_surrogates(value: str) -> str:
    # A lone surrogate can be written in JSON but cannot be stored or encoded as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_no_surrogates)]
IdField = Annotated[int, Field(gt=0, le=MAX_ID, strict=True)]
IdPath = Annotated[int, Path(gt=0, le=MAX_ID)]


def cursor_query(description: str) -> object:
    return Query(None, gt=0, le=MAX_ID, description=description)


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


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the error statuses a route can answer with."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}
