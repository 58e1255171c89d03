"""Security headers on every HTTP answer: the web client's CSP, no sniffing, no referrer,
no framing.

A pure ASGI middleware (no body buffering, sockets untouched). Headers a route already set
win: attachments send a stricter CSP of their own.
"""

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The web client (desktop/dist/web) loads only its own files; images may also be blob:
# (upload previews), data: URLs and https: (a link preview's picture, on the linked site;
# the no-referrer policy keeps which chat it was shown in to ourselves); it talks to its
# own origin, sockets included. The
# page's own <meta> CSP (desktop/src/common/csp.js) is wider because the desktop app can
# point at any server; a browser enforces both, so here the web build stays on its server.
_APP_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
)
# FastAPI's /docs and /redoc pages: an inline script and assets from jsDelivr (and Redoc's
# fonts and web worker). Only these pages get this policy.
_DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "font-src 'self' https://fonts.gstatic.com",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
_DOCS_PATHS = ("/docs", "/redoc")
# A Host header is client input: only a plain host[:port] may go into the policy.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")

_FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def content_security_policy(path: str, host: str | None) -> str:
    if path.startswith(_DOCS_PATHS):
        return _DOCS_POLICY
    # CSP 3 lets 'self' cover ws(s) to the same host, but not every browser does yet.
    connect = "connect-src 'self'"
    if host and _HOST.fullmatch(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join((*_APP_POLICY, connect))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
                break
        policy = content_security_policy(scope["path"], host)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in _FIXED:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
