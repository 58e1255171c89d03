"""413 by Content-Length, as JSON, before the app sees the request.

Starlette's limiter (the routers' ``max_body_size``) counts streamed bodies; when a
declared length is already too large it answers in plain text, so this answers first, in
the ``{"detail": ..., "code": ...}`` shape every other error has.
"""

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from parley.core.errors import code_for


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    detail: str


class DeclaredSizeLimit:
    def __init__(
        self, app: ASGIApp, default: Limit, exceptions: dict[str, Limit] | None = None
    ) -> None:
        self.app = app
        self.default = default
        self.exceptions = exceptions or {}  # path -> its own limit (e.g. uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.exceptions.get(scope["path"], self.default)
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if not length.isdigit() or int(length) > limit.max_bytes:
                await _reject(send, limit.detail)
                return
        await self.app(scope, receive, send)


async def _reject(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail, "code": code_for(413)}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
