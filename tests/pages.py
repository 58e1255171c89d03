"""A small web site on loopback for link-preview tests: pages, redirects, slow and big ones."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OG_PAGE = b"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="  The   Open Graph\ttitle &amp; more ">
<meta property="og:description" content="What the page is about.">
<meta property="og:image" content="/images/cover.png">
<meta property="og:site_name" content="Example Site">
<script>document.title = "never run"</script>
</head><body><h1>Hello</h1></body></html>"""

PLAIN_PAGE = b"""<html><head><title>
  Plain &lt;b&gt;title&lt;/b&gt;
</title><meta name="description" content="A description from the meta tag."></head>
<body>No Open Graph here.</body></html>"""

# A title past any limit: stored cut to 200 characters.
LONG_PAGE = b"<html><head><title>" + b"word " * 200 + b"</title></head></html>"

EMPTY_PAGE = b"<html><head></head><body>Nothing to show.</body></html>"

# Its head, then 1 MiB of body, then a tag the server must never get to.
BIG_PAGE = (
    b'<html><head><meta property="og:title" content="Big page"></head><body>'
    + b"<p>filler</p>" * (1024 * 1024 // 13)
    + b'<meta property="og:description" content="after the cut"></body></html>'
)


@dataclass
class Site:
    """Pages served on 127.0.0.1: ``hits`` counts the requests per path."""

    port: int
    hits: Counter[str] = field(default_factory=Counter)
    hosts: list[str] = field(default_factory=list)
    slow_seconds: float = 3.0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def total(self) -> int:
        return sum(self.hits.values())


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "tracker=1; Path=/")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            site.hits[parts.path] += 1
            site.hosts.append(self.headers.get("Host", ""))
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Set-Cookie", "session=secret; Path=/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif parts.path == "/og":
                self._send(OG_PAGE)
            elif parts.path == "/plain":
                self._send(PLAIN_PAGE)
            elif parts.path == "/long":
                self._send(LONG_PAGE)
            elif parts.path == "/empty":
                self._send(EMPTY_PAGE)
            elif parts.path == "/big":
                with suppress(OSError):  # the fetcher stops reading and hangs up: expected
                    self._send(BIG_PAGE)
            elif parts.path == "/image.png":
                self._send(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
            elif parts.path == "/slow":
                # The head comes at once, the body only after the fetcher has given up.
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(OG_PAGE)))
                self.end_headers()
                self.wfile.flush()
                time.sleep(site.slow_seconds)
                with suppress(OSError):
                    self.wfile.write(OG_PAGE)
            elif parts.path == "/cookie-check":
                seen = self.headers.get("Cookie") or "none"
                self._send(f"<title>cookie: {seen}</title>".encode())
            else:
                self.send_error(404)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hanging up on a page it has read enough of is expected


@contextmanager
def serve_site() -> Iterator[Site]:
    server = _QuietServer(("127.0.0.1", 0), _handler(Site(0)))
    site = Site(server.server_address[1])
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, name="preview-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
