"""A small WebSocket client for tests: collects frames and waits for the ones asked for."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, payload: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(payload if isinstance(payload, str | bytes) else json.dumps(payload))

    async def next(self, kind: str | None = None, within: float = 5.0) -> dict[str, Any]:
        """The next frame (of ``kind``, skipping others) within ``within`` seconds."""
        async with asyncio.timeout(within):
            while True:
                frame = json.loads(await self.ws.recv())
                self.seen.append(frame)
                if kind is None or frame["type"] == kind:
                    return dict(frame)

    async def quiet(self, kind: str, wait: float = 0.5) -> list[dict[str, Any]]:
        """Frames of ``kind`` that arrive within ``wait`` seconds (expected: none)."""
        got = []
        try:
            async with asyncio.timeout(wait):
                while True:
                    frame = json.loads(await self.ws.recv())
                    self.seen.append(frame)
                    if frame["type"] == kind:
                        got.append(frame)
        except TimeoutError:
            pass
        return got

    async def close_code(self, within: float = 5.0) -> int | None:
        """Wait for the server to close the socket; its close code."""
        try:
            async with asyncio.timeout(within):
                while True:
                    await self.ws.recv()
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        raise AssertionError("socket stayed open")


@asynccontextmanager
async def open_socket(
    ws_base: str, token: str, *, since: int | None = None, chat_id: int | None = None, **kw: Any
) -> AsyncIterator[Socket]:
    path = f"/ws/chat/{chat_id}" if chat_id is not None else "/ws"
    query = f"?token={token}" + (f"&since={since}" if since is not None else "")
    async with connect(ws_base + path + query, open_timeout=5, **kw) as ws:
        yield Socket(ws)
