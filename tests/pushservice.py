"""A local Web Push service on loopback for tests: it takes pushes the way a real one does.

It keeps what it was sent, answers with the status a test asks for (per endpoint), and can
be made slow. Subscribers are made in the test with their own P-256 key pair and auth
secret, so a push can be decrypted (RFC 8291) exactly as a browser would.
"""

import asyncio
import base64
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support import free_socket


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    name: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Subscriber:
    """A browser's side of one subscription: the keys the server encrypts to."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, device: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }
        if device:
            body["device"] = device
        return body

    def decrypt(self, push: Received) -> dict[str, Any]:
        assert push.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        payload: dict[str, Any] = json.loads(plain)
        return payload


def vapid_claims(push: Received, public_key: str) -> dict[str, Any]:
    """Check the push's VAPID header (RFC 8292): signed by ``public_key``; its claims."""
    scheme, _, params = push.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key
    assert Vapid02.verify(push.headers["authorization"])  # the signature is the key's
    claims: dict[str, Any] = json.loads(unb64url(parts["t"].split(".")[1]))
    return claims


class PushService:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status: dict[str, int] = {}  # endpoint name -> status to answer (default 201)
        self.delay: dict[str, float] = {}  # endpoint name -> seconds to wait first
        self.base_url = ""
        self._arrived = asyncio.Event()

    def endpoint(self, name: str) -> str:
        return f"{self.base_url}/push/{name}"

    def subscriber(self, name: str) -> Subscriber:
        return Subscriber(self.endpoint(name))

    def to(self, name: str) -> list[Received]:
        return [push for push in self.received if push.name == name]

    async def wait_for(self, name: str, count: int = 1, within: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.to(name)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} push(es) to {name!r} did not arrive")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                continue
        return self.to(name)

    async def _take(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name in self.delay:
            await asyncio.sleep(self.delay[name])
        self.received.append(
            Received(name, dict(request.headers), await request.body(), time.monotonic())
        )
        self._arrived.set()
        return Response(status_code=self.status.get(name, 201))


@asynccontextmanager
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    app = Starlette(routes=[Route("/push/{name}", service._take, methods=["POST"])])
    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    service.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield service
    finally:
        server.should_exit = True
        await task
        sock.close()
