"""Web Push on the wire: VAPID (RFC 8292) signing and aes128gcm encryption (RFC 8291).

Maintained libraries do the cryptography: ``py-vapid`` signs the JWT and ``http-ece``
encrypts the payload; the request itself is an ``httpx`` POST (RFC 8030), so the event loop
never waits on a blocking HTTP client.
"""

import asyncio
import base64
import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

TTL_SECONDS = 24 * 3600  # how long a push service keeps a push for an offline device
JWT_SECONDS = 12 * 3600  # RFC 8292 caps a VAPID token's lifetime at 24 h


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_private_key() -> str:
    """A new VAPID private key: the P-256 scalar, 32 bytes, URL-safe base64."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@dataclass(frozen=True)
class Vapid:
    """This server's VAPID identity: signs each push service's token."""

    signer: Vapid02
    public_key: str  # the uncompressed point, URL-safe base64: applicationServerKey
    contact: str
    # Signed headers per push service ("aud"), with their expiry: one signature serves
    # every push to that service for half the token's life, not one per push.
    _signed: dict[str, tuple[int, dict[str, str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_private(cls, private_key: str, contact: str) -> "Vapid":
        signer = Vapid02.from_raw(private_key.encode())
        point = signer.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return cls(signer, b64url(point), contact)

    def headers(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for ``endpoint``'s push service (its origin is "aud")."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = int(time.time())
        cached = self._signed.get(audience)
        if cached is not None and cached[0] - now > JWT_SECONDS // 2:
            return cached[1]
        expires = now + JWT_SECONDS
        signed: dict[str, str] = self.signer.sign(
            {"aud": audience, "sub": self.contact, "exp": expires}
        )
        if len(self._signed) > 1_000:  # push services are a handful; never grow unbounded
            self._signed.clear()
        self._signed[audience] = (expires, signed)
        return signed


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _public(ip: IPAddress) -> bool:
    """A push service is on the public Internet: refuse every other kind of address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _loopback(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def endpoint_problem(endpoint: str, allow_http_loopback: bool) -> str | None:
    """Why ``endpoint`` cannot be a push endpoint, or None: https to a public host only.

    The server posts to whatever a subscription names, so a private or loopback address
    would let any user make it probe the network it sits in (its answer shows in the
    delivery log). Names are checked again, resolved, before each push (`check_address`).
    Under the test-only setting, http(s) to a loopback address is let through.
    """
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return "not a valid URL"
    if not host:
        return "not a valid URL"
    try:
        ip: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    loopback = (ip is not None and _loopback(ip)) or host == "localhost"
    if allow_http_loopback and parts.scheme in ("http", "https") and loopback:
        return None
    if parts.scheme != "https":
        return "a push endpoint must be an https:// URL"
    if (ip is not None and not _public(ip)) or host == "localhost" or "." not in host:
        return "a push endpoint must be on a public host"
    return None


# Answers of check_address per (host, port, loopback allowed), for a short while: a
# message to a group pushes to one service many times, and each lookup is a trip
# through the executor. Short enough that a name moved to a private address is caught
# within a minute (as before, the connection itself resolves the name again).
ADDRESS_SECONDS = 60.0
_addresses: dict[tuple[str, int, bool], tuple[float, str | None]] = {}


async def check_address(endpoint: str, allow_loopback: bool) -> str | None:
    """Resolve the endpoint's host (at most once a minute): why not to connect, or None."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    key = (host, parts.port or 443, allow_loopback)
    now = time.monotonic()
    cached = _addresses.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    problem = await _resolve(host, key[1], allow_loopback)
    if len(_addresses) > 1_000:
        _addresses.clear()
    _addresses[key] = (now + ADDRESS_SECONDS, problem)
    return problem


async def _resolve(host: str, port: int, allow_loopback: bool) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # UnicodeError: a name IDNA cannot encode
        return f"could not resolve {host}: {getattr(exc, 'strerror', None) or exc}"
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not (_public(ip) or (allow_loopback and _loopback(ip))):
            return f"{host} resolves to a non-public address ({ip})"
    return None


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The body for one subscription: aes128gcm with a fresh sender key pair (RFC 8291)."""
    sender = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        payload,
        private_key=sender,
        dh=b64url_decode(p256dh),
        auth_secret=b64url_decode(auth),
        version="aes128gcm",
    )
    return body


@dataclass(frozen=True, slots=True)
class Prepared:
    """One push, ready to post: the encrypted body and its headers."""

    body: bytes
    headers: dict[str, str]


def prepare(
    vapid: Vapid,
    endpoint: str,
    p256dh: str,
    auth: str,
    payload: dict[str, Any],
    *,
    topic: str | None = None,
    urgency: str = "normal",
) -> Prepared:
    """Encrypt ``payload`` (JSON) for one subscription and sign for its push service.

    CPU work (an ECDH per push): the push process does it (`parley.notifications.sender`,
    one push at a time as each gets its turn to post), never a node's loop.
    """
    body = encrypt(json.dumps(payload, separators=(",", ":")).encode(), p256dh, auth)
    headers = {
        **vapid.headers(endpoint),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_SECONDS),
        "Urgency": urgency,
    }
    if topic:
        # RFC 8030 §5.4: a newer push with the same topic replaces one still waiting.
        headers["Topic"] = topic
    return Prepared(body, headers)


async def send(client: httpx.AsyncClient, endpoint: str, push: Prepared) -> int:
    """Post a prepared push (RFC 8030); the push service's HTTP status."""
    response = await client.post(endpoint, content=push.body, headers=push.headers)
    return response.status_code
