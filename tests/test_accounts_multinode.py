"""Ending sessions reaches every node: two server processes sharing MariaDB and Redis."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.nodes import Node, RedisServer, two_nodes
from tests.sockets import Socket, open_socket
from tests.support import PASSWORD, Api


@pytest.fixture
async def nodes(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    async with two_nodes(redis_server.url, tmp_path) as pair:
        yield pair


async def _settle(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def test_ending_sessions_closes_sockets_on_the_other_node(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    async with (
        httpx.AsyncClient(base_url=a.base_url) as ca,
        httpx.AsyncClient(base_url=b.base_url) as cb,
    ):
        admin, bob = await Api(ca).user(), await Api(ca).user()
        info = (await admin.get("/admin/server")).json()
        assert info["nodes_online"] == 2
        # Bob signs in on node B from his phone; from his laptop (node A) he signs it out.
        r = await cb.post(
            "/auth/login",
            json={"username": bob.username, "password": PASSWORD, "device": "phone"},
        )
        phone = r.json()
        async with open_socket(b.ws_url, phone["access_token"]) as phone_b:
            async with open_socket(b.ws_url, bob.token) as laptop_b:
                await _settle(phone_b, laptop_b)
                listed = (await bob.get("/auth/sessions")).json()
                phone_id = next(s["id"] for s in listed if s["device"] == "phone")
                assert (await bob.delete(f"/auth/sessions/{phone_id}")).status_code == 204
                assert await phone_b.close_code() == 4401
                await _settle(laptop_b)  # only that session's sockets close
            r = await cb.post("/auth/refresh", json={"refresh_token": phone["refresh_token"]})
            assert r.status_code == 401

        # An admin on node A deactivates Bob: his sockets on node B close at once.
        async with (
            open_socket(b.ws_url, bob.token) as bob_b,
            open_socket(a.ws_url, bob.token) as bob_a,
        ):
            await _settle(bob_b, bob_a)
            assert (await admin.post(f"/admin/users/{bob.id}/deactivate")).status_code == 204
            assert await bob_b.close_code() == 4401
            assert await bob_a.close_code() == 4401
        assert (await cb.get("/auth/me", headers=bob.headers)).status_code == 401
        r = await cb.post("/auth/refresh", json={"refresh_token": bob.refresh_token})
        assert r.status_code == 401
        assert (await admin.post(f"/admin/users/{bob.id}/reactivate")).status_code == 204
        r = await cb.post("/auth/login", json={"username": bob.username, "password": PASSWORD})
        assert r.status_code == 200
