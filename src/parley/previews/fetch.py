"""Fetching a link's page without letting a message steer the server into its own network.

A link in a message is a request the server makes for whoever wrote it (server-side
request forgery), so every hop is checked before any byte is sent:

* only http and https, no credentials in the link, only ports 80 and 443;
* the host is resolved here, and the hop is refused if ANY of its addresses is private,
  loopback, link-local, multicast, reserved, unspecified or otherwise not global, or an
  IPv6 form of such an IPv4 address (mapped, 6to4, Teredo);
* the connection then goes to the address that was checked, not to the name again
  (`_PinnedBackend`): a DNS answer that changes between check and connect (rebinding)
  cannot move it. TLS still verifies the certificate for the link's host name (SNI too);
* redirects are followed by hand, at most three, each hop checked the same way;
* one deadline for everything (resolving, connecting, every hop, reading), at most 512 KiB
  read, only HTML; no cookies (httpcore has no cookie jar), no proxies from the
  environment, no compressed bodies (``Accept-Encoding: identity``; a body we would have
  to inflate could be far larger than what was read).

httpcore (httpx's own connection layer) is used directly because its connection pool
takes a network backend: the one public place to choose where a connection goes. Every
hop gets a fresh pool, so nothing (connections, state) outlives a hop.
"""

import asyncio
import codecs
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from parley.previews.links import MAX_URL
from parley.previews.parse import parse
from parley.previews.schemas import LinkPreview

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Host name and port → the addresses it resolves to (as text). Tests inject their own.
Resolver = Callable[[str, int], Awaitable[list[str]]]
# An exception to the rules for one address and port (tests: the loopback server).
Allowance = Callable[[IPAddress, int], bool]

DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT = b"Mozilla/5.0 (compatible; ParleyLinkPreview/1.0)"


class PreviewError(Exception):
    """No preview for this link; the message says why (for the debug log)."""


class Refused(PreviewError):
    """The link, or a hop it redirects to, points somewhere the server must not go."""


class Unusable(PreviewError):
    """The page could not be had or is not a page: network error, timeout, status, type."""


def unsafe(ip: IPAddress) -> str | None:
    """Why the server must not connect to ``ip``, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches that IPv4 host: judge it as such.
        teredo = ip.teredo
        for inner in (ip.ipv4_mapped, ip.sixtofour, teredo[1] if teredo else None):
            if inner is not None and (reason := unsafe(inner)):
                return f"{reason} (inside {ip})"
    for kind in (
        "loopback",
        "private",
        "link_local",
        "multicast",
        "reserved",
        "unspecified",
    ):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:  # shared address space (100.64/10), documentation ranges, ...
        return "non-global"
    return None


def is_loopback(ip: IPAddress) -> bool:
    """Loopback, including ::ffff:127.x (the test-only allowance covers exactly this)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def allow_loopback(ip: IPAddress, _port: int) -> bool:
    """The test-only allowance (`PARLEY_PREVIEW_UNSAFE_ALLOW_LOOPBACK_FOR_TESTS`)."""
    return is_loopback(ip)


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the one address that was checked, whatever host the pool asks for."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_tcp(
            self._address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        raise Refused("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@dataclass(frozen=True, slots=True)
class _Hop:
    url: str  # as sent: ASCII host, the link's path and query
    host_header: bytes
    address: str  # the checked address the connection goes to


@dataclass(frozen=True)
class Fetcher:
    timeout: float = 5.0  # seconds for the whole fetch, every hop included
    max_bytes: int = 512 * 1024
    max_redirects: int = 3
    allowance: Allowance | None = None
    resolver: Resolver = field(default=system_resolver)

    async def preview(self, link: str) -> LinkPreview:
        """The preview of ``link``; PreviewError when there is none to show."""
        page_url, html = await self.page(link)
        preview = parse(html, link=link, page_url=page_url)
        if preview is None:
            raise Unusable("the page has no title, description or image")
        return preview

    async def page(self, link: str) -> tuple[str, str]:
        """The HTML that ``link`` leads to (cut at ``max_bytes``), and where it was found."""
        try:
            async with asyncio.timeout(self.timeout):
                url = link
                for _ in range(self.max_redirects + 1):
                    hop = await self._check(url)
                    found = await self._get(hop)
                    if not isinstance(found, _Redirect):
                        return url, found
                    url = found.location
        except TimeoutError:
            raise Unusable(f"no page within {self.timeout} s") from None
        raise Unusable(f"more than {self.max_redirects} redirects")

    async def _check(self, url: str) -> _Hop:
        """Refuse ``url`` unless every address its host resolves to may be fetched."""
        if len(url) > MAX_URL:
            raise Refused("link too long")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise Refused(f"not a usable link: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise Refused(f"{scheme or 'no'} scheme: only http and https")
        if parts.username is not None or parts.password is not None:
            raise Refused("credentials in the link")
        host = parts.hostname
        if not host:
            raise Refused("no host")
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Refused("host name is not valid") from None
        port = port or DEFAULT_PORTS[scheme]
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = await self.resolver(ascii_host, port)
            except OSError as exc:
                raise Unusable(f"cannot resolve {ascii_host}: {exc}") from None
            try:
                addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
            except ValueError:
                raise Refused(f"{ascii_host} resolves to something that is no address") from None
        if not addresses:
            raise Unusable(f"{ascii_host} has no address")
        for ip in addresses:
            if self.allowance is not None and self.allowance(ip, port):
                continue
            if reason := unsafe(ip):
                raise Refused(f"{ascii_host} resolves to {ip}, a {reason} address")
            if port not in (80, 443):
                raise Refused(f"port {port}: only 80 and 443")
        # The URL keeps the link's host: it names the Host header, SNI and certificate.
        shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
        netloc = shown if parts.port is None else f"{shown}:{port}"
        target = f"{scheme}://{netloc}{parts.path or '/'}" + (
            f"?{parts.query}" if parts.query else ""
        )
        return _Hop(target, netloc.encode("ascii"), str(addresses[0]))

    async def _get(self, hop: _Hop) -> "str | _Redirect":
        """The page's text, or where a redirect points to."""
        headers = [
            (b"Host", hop.host_header),
            (b"User-Agent", USER_AGENT),
            (b"Accept", b"text/html,application/xhtml+xml;q=0.9"),
            (b"Accept-Encoding", b"identity"),
        ]
        try:
            async with (
                httpcore.AsyncConnectionPool(
                    network_backend=_PinnedBackend(hop.address), max_connections=1, retries=0
                ) as pool,
                pool.stream("GET", _quoted(hop.url), headers=headers) as response,
            ):
                header = _headers(response.headers)
                if response.status in REDIRECTS:
                    location = header.get("location")
                    if not location:
                        raise Unusable(f"redirect ({response.status}) without a location")
                    return _Redirect(urljoin(hop.url, location))
                if response.status != 200:
                    raise Unusable(f"status {response.status}")
                kind, _, params = header.get("content-type", "").partition(";")
                if kind.strip().lower() not in HTML_TYPES:
                    raise Unusable(f"not HTML ({kind.strip() or 'no type'})")
                if header.get("content-encoding", "identity").lower() != "identity":
                    raise Unusable("compressed body")
                body = bytearray()
                async for chunk in response.aiter_stream():
                    body += chunk[: self.max_bytes - len(body)]
                    if len(body) >= self.max_bytes:
                        break  # the head (what we parse) comes first; the rest is not read
        except (
            httpcore.NetworkError,
            httpcore.TimeoutException,
            httpcore.ProtocolError,
            httpcore.UnsupportedProtocol,
            OSError,  # TLS failures included
        ) as exc:
            raise Unusable(f"fetching failed: {exc.__class__.__name__}: {exc}") from None
        return bytes(body).decode(_charset(params), errors="replace")


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str  # absolute


def _quoted(url: str) -> bytes:
    # Links are text; anything outside printable ASCII goes percent-encoded on the wire.
    out: list[str] = []
    for c in url:
        if 0x20 < ord(c) < 0x7F:
            out.append(c)
        else:
            out.extend(f"%{b:02X}" for b in c.encode())
    return "".join(out).encode("ascii")


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}


def _charset(params: str) -> str:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip("\"'")).name
            except LookupError:
                break
    return "utf-8"
