"""A client that stops reading is dropped; the others keep receiving on time."""

import asyncio
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.sockets import Socket, open_socket
from tests.support import Api, RunningServer, eventually, serve, test_settings


async def test_a_client_that_never_reads_does_not_delay_others(
    database_url: str, tmp_path: Path
) -> None:
    async with _small_queues(database_url, tmp_path) as (server, api):
        alice, bob, stuck = [await api.user() for _ in range(3)]
        group = await alice.group("Busy", bob, stuck)
        hub = server.app.state.realtime.hub
        async with (
            open_socket(
                server.ws_url, stuck.token, max_queue=1, sock=_small_buffer(server)
            ) as slow,
            open_socket(server.ws_url, bob.token) as fast,
            open_socket(server.ws_url, alice.token) as sender,
        ):
            await eventually(lambda: hub.connection_count == 3)
            # Random text: compression cannot shrink it, so each event really is ~4 KB.
            big = secrets.token_urlsafe(2900)
            latencies = []
            for i in range(400):
                started = time.monotonic()
                await sender.send(
                    {
                        "type": "message.send",
                        "chat_id": group["id"],
                        "content": f"{i} {big}",
                        "client_id": f"c{i}",
                    }
                )
                try:
                    await sender.next("message.ack")
                except TimeoutError:
                    raise AssertionError(
                        f"no ack for {i}; sockets {hub.connection_count}"
                    ) from None
                frame = await fast.next("message.new")
                latencies.append(time.monotonic() - started)
                assert frame["message"]["content"].startswith(f"{i} ")
                if hub.connection_count == 2:
                    break
            # The stuck client was cut off; the fast one never waited on it.
            assert hub.connection_count == 2
            assert max(latencies) < 1.0
            assert stuck.id not in hub.local_users()
            # Its close frame may be stuck behind the unread data, so the code can be lost.
            assert await slow.close_code(within=30) in (1008, None)


async def test_a_burst_of_frames_does_not_crowd_out_live_events(
    database_url: str, tmp_path: Path
) -> None:
    """Replies to a client's own burst wait for it; live events still have room meanwhile."""
    async with _small_queues(database_url, tmp_path) as (server, api):
        alice, bob = await api.user(), await api.user()
        group = await alice.group("Bursty", bob)
        hub = server.app.state.realtime.hub
        sock = _small_buffer(server)
        async with open_socket(server.ws_url, alice.token, max_queue=1, sock=sock) as burst:
            await eventually(lambda: hub.connection_count == 1)
            (conn,) = hub.connections(alice.id)
            # Thousands of frames, each answered with an error, while Alice reads nothing:
            # the answers back up until Parley's queue holds its share of them.
            flood = asyncio.create_task(_send_all(burst, ["not json"] * 3000))
            await eventually(lambda: conn.backlog >= 8)
            # Live events arrive while the backlog is there.
            for i in range(4):
                await bob.say(group["id"], f"live {i}")
            # Alice starts reading: every answer and every live event arrives, in one socket.
            got = []
            while len(got) < 4:
                frame = await burst.next(within=30)
                if frame["type"] == "message.new":
                    got.append(frame["message"]["content"])
            await flood
            assert got == [f"live {i}" for i in range(4)]
            assert hub.connection_count == 1


@asynccontextmanager
async def _small_queues(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[RunningServer, Api]]:
    """A server whose sockets back up quickly: 16 frames in Parley's queue, and a small
    kernel send buffer, so a stuck client's backlog reaches that queue after tens of
    messages rather than megabytes."""
    settings = test_settings(database_url, tmp_path, ws_send_queue=16)
    async with (
        serve(settings, send_buffer=16 * 1024) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        yield server, Api(client)


def _small_buffer(server: RunningServer) -> socket.socket:
    """A connection to ``server`` whose kernel pushes back after a few KB of unread data.

    With the client library's max_queue=1 it stops reading once one frame waits, so what
    the server sends soon backs up into Parley's own queue.
    """
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1])))
    return raw


async def _send_all(sock: Socket, frames: list[str]) -> None:
    for frame in frames:
        await sock.send(frame)
