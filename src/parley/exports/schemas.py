from typing import Literal

from pydantic import BaseModel

from parley.core.fields import Timestamp

Status = Literal["queued", "running", "done", "failed"]


class ExportOut(BaseModel):
    """An export as clients see it (docs/API-EXTENSIONS.md, "Account export")."""

    id: int
    status: Status
    progress: float  # 0.0 .. 1.0
    created_at: Timestamp
    finished_at: Timestamp | None
    expires_at: Timestamp | None
    url: str | None  # the signed download link, while the archive is kept
    size: int | None  # the archive's bytes, once done
    error: str | None  # why it failed, in words
