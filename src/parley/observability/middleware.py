"""One pass over every request and socket: request id, metrics and the access log."""

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.observability import logs, metrics

access_log = logging.getLogger("parley.access")

HEADER = b"x-request-id"
# Ids from a proxy or client are kept when they are plainly ids; anything else is replaced
# so a header cannot inject text into the logs.
_VALID_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# Polled by machines every few seconds: counted, but logged only at debug level.
_QUIET_PATHS = {"/healthz", "/metrics"}


class Observe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        # Not reset afterwards: each request has its own task and context, and uvicorn's
        # own error lines for this request should still carry the id.
        logs.request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": None, "close": None}

        async def observed_send(message: Message) -> None:
            event = message["type"]
            if event in ("http.response.start", "websocket.accept"):
                headers = [*message.get("headers", []), (HEADER, rid.encode())]
                message = {**message, "headers": headers}
                seen["status"] = message.get("status", 101)
            elif event == "websocket.close":
                seen["close"] = message.get("code", 1000)
            elif event == "websocket.http.response.start":
                seen["status"] = message["status"]
            await send(message)

        async def observed_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect" and seen["close"] is None:
                seen["close"] = message.get("code", 1005)
            return message

        try:
            await self.app(scope, observed_receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            if kind == "http":
                _finish_http(scope, route, seen["status"] or 500, elapsed)
            else:
                _finish_socket(scope, route, seen, elapsed)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode() if _VALID_ID.fullmatch(value) else None
    return None


def _route_template(scope: Scope) -> str:
    """The matched route's template (`/chats/{chat_id}`), never the raw path: bounded labels."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"


def _target(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return logs.redact(scope["path"] + ("?" + query if query else ""))


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


def _finish_http(scope: Scope, route: str, status: int, elapsed: float) -> None:
    method = scope["method"]
    metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
    metrics.HTTP_LATENCY.labels(method, route).observe(elapsed)
    level = logging.DEBUG if scope["path"] in _QUIET_PATHS else logging.INFO
    if access_log.isEnabledFor(level):
        ms = round(elapsed * 1000, 2)
        access_log.log(
            level,
            "%s %s %s %.1fms",
            method,
            _target(scope),
            status,
            ms,
            extra={
                "method": method,
                "path": _target(scope),
                "route": route,
                "status": status,
                "duration_ms": ms,
                "client": _client(scope),
            },
        )


def _finish_socket(scope: Scope, route: str, seen: dict[str, Any], elapsed: float) -> None:
    accepted = seen["status"] == 101
    code = seen["close"] if seen["close"] is not None else 1006
    if accepted:
        metrics.WEBSOCKET_SESSIONS.labels(str(code)).inc()
    if access_log.isEnabledFor(logging.INFO):
        outcome = f"closed {code}" if accepted else f"refused {seen['status'] or code}"
        access_log.info(
            "WebSocket %s %s after %.1fs",
            _target(scope),
            outcome,
            elapsed,
            extra={
                "method": "WEBSOCKET",
                "path": _target(scope),
                "route": route,
                "status": seen["status"],
                "close_code": code,
                "duration_ms": round(elapsed * 1000, 2),
                "client": _client(scope),
            },
        )
