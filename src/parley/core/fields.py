"""Field types shared by every domain's schemas."""

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
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


class Model(BaseModel):
    """Response models are read straight from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
