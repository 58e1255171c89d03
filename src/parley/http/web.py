"""The web client, served for whatever path no API route claims.

It is the router's fallback rather than a mount at `/`: a mount would match every path,
so `GET /auth/login` (a POST-only API path) would get the web client's 404 instead of the
API's 405, and answering correctly meant matching paths against the API document on every
request.
"""

from importlib.resources import files
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send


class WebClient:
    path = "/*"  # how metrics and the access log name what it serves

    def __init__(self, directory: Path, otherwise: ASGIApp) -> None:
        self._files = StaticFiles(directory=directory, html=True)
        self._otherwise = otherwise  # the router's own "not found", for sockets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._otherwise(scope, receive, send)
            return
        scope["route"] = self
        await self._files(scope, receive, send)


def web_root(configured: Path) -> Path | None:
    """The built web client to serve: ``configured`` (PARLEY_WEB_DIR), else the package's.

    An installed wheel carries the client as `parley/web` (setup.py copies it in at build
    time), so a machine without Node serves it; a source checkout serves desktop/dist/web.
    """
    if (configured / "index.html").is_file():
        return configured
    packaged = files("parley") / "web"
    if isinstance(packaged, Path) and (packaged / "index.html").is_file():
        return packaged
    return None
