"""413 by Content-Length, as JSON, before the app sees the request.

Starlette's limiter (the routers' ``max_body_size``) counts streamed bodies; when a
declared length is already too large it answers in plain text, so this answers first, in
the ``{"detail": ...}`` shape every other error has.
"""

from starlette.types import ASGIApp, Receive, Scope, Send


class DeclaredSizeLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int, exceptions: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exceptions = exceptions or {}  # path -> its own limit (e.g. uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.exceptions.get(scope["path"], self.max_bytes)
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if not length.isdigit() or int(length) > limit:
                await _reject(send, limit)
                return
        await self.app(scope, receive, send)


async def _reject(send: Send, max_bytes: int) -> None:
    body = f'{{"detail":"request body is larger than {max_bytes} bytes"}}'.encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
