"""Log lines for people (text) or collectors (JSON), stamped with the request id, scrubbed
of credentials.

Scrubbing happens in the formatter, on the finished line (traceback included), so no
logger anywhere (ours, uvicorn's, a library's) can print a token by accident.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The id of the request being handled; each ASGI request runs in its own task, so its
# context carries this into every log call made while serving it.
request_id: ContextVar[str | None] = ContextVar("parley_request_id", default=None)

REDACTED = "[redacted]"
_SECRETS = [
    # ?token=... and friends in a URL (uvicorn prints the query of every WebSocket).
    (
        re.compile(r"(?i)([?&](?:token|access_token|refresh_token|password)=)[^&\s\"']*"),
        r"\1" + REDACTED,
    ),
    # Authorization: Bearer <token>
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    # "refresh_token": "..." in a JSON body or repr.
    (
        re.compile(
            r"(?i)([\"'](?:access_token|refresh_token|password|current_password|secret_key)"
            r"[\"']\s*:\s*[\"'])[^\"']*"
        ),
        r"\1" + REDACTED,
    ),
    # Any JWT, wherever it appears.
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+"), REDACTED),
]

# Attributes every LogRecord has; anything else was passed with `extra=` and is data.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured duplicate of the message
    "taskName",
}


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id (or "-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, extras, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid and rid != "-":
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the whole process, uvicorn's loggers included.

    uvicorn's own access log is left off (`access_log=False`): Parley writes its own,
    with the request id and the query redacted (`parley.access`).
    """
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"parley": {"()": formatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "parley",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": True, "level": level},
            "parley": {"handlers": [], "propagate": True, "level": level},
            # SQL echo and Alembic's chatter stay at warnings unless asked for.
            "sqlalchemy": {"level": "WARNING"},
            "alembic": {"level": "WARNING"},
            # A line per outgoing request (pushes, link previews) would drown the log;
            # Parley logs what failed itself.
            "httpx": {"level": "WARNING"},
        },
    }
