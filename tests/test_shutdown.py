"""Stopping a node closes its sockets with 1012 so clients reconnect elsewhere."""

from pathlib import Path

import httpx

from tests.sockets import open_socket
from tests.support import Api, serve, test_settings


async def test_shutdown_closes_sockets_with_1012(database_url: str, tmp_path: Path) -> None:
    async with serve(test_settings(database_url, tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            alice = await Api(client).user()
        sock_cm = open_socket(server.ws_url, alice.token)
        sock = await sock_cm.__aenter__()
        await sock.send({"type": "ping"})
        await sock.next("pong")
    # Leaving `serve` stopped the server.
    assert await sock.close_code() == 1012
    await sock_cm.__aexit__(None, None, None)
