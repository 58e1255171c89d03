"""deploy/nginx.conf in front of two real Parley nodes (MariaDB, a private Redis), over TLS.

Shows sign-up, chat and live delivery through the proxy, and that stopping one node moves
its clients to the other with nothing lost: they get 1012, reconnect through the proxy
with `since`, and see every message posted meanwhile exactly once.
"""

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from parley.config import Settings
from tests.nodes import Node, RedisServer, free_port, node_env
from tests.proxy import NGINX_CONF, Nginx, make_nginx
from tests.sockets import open_socket
from tests.support import Api, User, eventually, mariadb_database, migrate_to_head


@dataclass
class Cluster:
    nodes: tuple[Node, Node]
    nginx: Nginx

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.nginx.base_url, verify=self.nginx.ssl_context(), timeout=30
        )


@pytest.fixture
async def cluster(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[Cluster]:
    async with mariadb_database() as url:
        await migrate_to_head(url)  # once, before the nodes (each would, concurrently)
        env = node_env(url, redis_server.url, tmp_path)
        nodes = (
            Node(free_port(), env, tmp_path / "a.log"),
            Node(free_port(), env, tmp_path / "b.log"),
        )
        await asyncio.gather(*(asyncio.to_thread(n.start) for n in nodes))
        nginx = make_nginx(tmp_path / "nginx", [n.port for n in nodes], free_port(), free_port())
        try:
            nginx.start()
            yield Cluster(nodes, nginx)
        finally:
            nginx.stop()
            for node in nodes:
                node.stop()


async def open_sockets(node: Node) -> int:
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        if family.name == "parley_websocket_connections":
            return int(family.samples[0].value)
    raise AssertionError("no parley_websocket_connections metric")


def assert_no_tokens(cluster: Cluster, *tokens: str) -> None:
    logs = cluster.nginx.access_log() + cluster.nginx.error_log()
    logs += "".join(n.log.read_text() for n in cluster.nodes)
    for token in tokens:
        assert token not in logs, "a token reached a log"


async def test_sign_up_chat_and_live_delivery_through_the_proxy(cluster: Cluster) -> None:
    nginx = cluster.nginx
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{nginx.http_port}") as plain:
        r = await plain.get("/chats")
        assert r.status_code == 301 and r.headers["location"].startswith("https://")
    async with cluster.client() as client:
        api = Api(client)
        alice, bob = await api.user("alice_px"), await api.user("bob_px")
        me = await client.get("/auth/me", headers=alice.headers)
        assert me.status_code == 200 and me.json()["username"] == "alice_px"
        # The proxy makes a request id, Parley echoes it, nginx logs it.
        rid = me.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        # nginx writes its access line after the response has gone out: wait for it.
        await eventually(lambda: f"rid={rid}" in nginx.access_log())
        given = await client.get(
            "/auth/me", headers={**alice.headers, "X-Request-ID": "px-trace-1"}
        )
        assert given.headers["x-request-id"] == "px-trace-1"
        chat = await alice.direct_chat(bob)
        ssl = nginx.ssl_context()
        async with (
            open_socket(nginx.ws_url, alice.token, ssl=ssl) as sa,
            open_socket(nginx.ws_url, bob.token, ssl=ssl) as sb,
        ):
            for sock in (sa, sb):
                await sock.send({"type": "ping"})
                await sock.next("pong")
            sent = await alice.say(chat["id"], "through the proxy")
            assert (await sb.next("message.new"))["message"] == sent
            assert (await sa.next("message.new"))["message"] == sent
            await sb.send(
                {
                    "type": "message.send",
                    "chat_id": chat["id"],
                    "content": "back",
                    "client_id": "px1",
                }
            )
            ack = await sb.next("message.ack")
            assert (await sa.next("message.new"))["message"] == ack["message"]
        # /metrics is for monitoring, per node: not served to the world.
        assert (await client.get("/metrics")).status_code == 403
        assert (await open_sockets(cluster.nodes[0])) >= 0
        # Uploads: the proxy lets Parley's largest file through, and stops far larger bodies.
        limit = Settings().max_upload_mb * 1024 * 1024
        r = await client.post(
            "/attachments",
            headers=alice.headers,
            files={"file": ("big.bin", b"\x00\x01" * (limit // 2), "application/octet-stream")},
        )
        assert r.status_code == 201, r.text
        assert r.json()["size"] == limit
        r = await client.post(
            "/attachments",
            headers=alice.headers,
            files={
                "file": (
                    "huge.bin",
                    b"\x00" * (limit + 2 * 1024 * 1024),
                    "application/octet-stream",
                )
            },
        )
        assert r.status_code == 413
    assert_no_tokens(cluster, alice.token, bob.token, alice.refresh_token)


@dataclass
class Client:
    """A desktop client: one /ws socket, reconnecting with `since` when told to (1012)."""

    user: User
    nginx: Nginx
    ids: list[int] = field(default_factory=list)
    close_codes: list[int | None] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        since: int | None = None
        while not self.stop.is_set():
            query = f"?token={self.user.token}" + (f"&since={since}" if since is not None else "")
            async with connect(
                self.nginx.ws_url + "/ws" + query, ssl=self.nginx.ssl_context(), open_timeout=10
            ) as ws:
                await ws.send(json.dumps({"type": "ping"}))
                code = await self._read(ws)
            self.close_codes.append(code)
            if code != 1012:
                return
            since = max(self.ids) if self.ids else 0
            await asyncio.sleep(0.1)  # a real client backs off a little, then reconnects

    async def _read(self, ws: ClientConnection) -> int | None:
        try:
            while not self.stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.2)
                except TimeoutError:
                    continue
                frame: dict[str, Any] = json.loads(raw)
                if frame["type"] == "pong":
                    self.connected.set()
                elif frame["type"] == "message.new":
                    self.ids.append(frame["message"]["id"])
        except ConnectionClosed as exc:
            self.connected.clear()
            return exc.rcvd.code if exc.rcvd else None
        return 1000


async def test_stopping_a_node_moves_its_clients_with_nothing_lost(cluster: Cluster) -> None:
    a, b = cluster.nodes
    async with cluster.client() as http:
        api = Api(http)
        poster = await api.user()
        members = [await api.user() for _ in range(6)]
        group = await poster.group("Across nodes", *members)
        clients = [Client(m, cluster.nginx) for m in members]
        tasks = [asyncio.create_task(c.run()) for c in clients]
        try:
            for c in clients:
                await asyncio.wait_for(c.connected.wait(), 10)
            # The proxy spread the sockets over both nodes.
            on_a, on_b = await open_sockets(a), await open_sockets(b)
            assert on_a + on_b == 6 and on_a > 0 and on_b > 0, (on_a, on_b)

            posted: list[int] = []
            retried = 0

            async def post(n: int) -> None:
                nonlocal retried
                for i in range(n):
                    # As the client does: a retry after a failed request reuses client_id.
                    body = {"content": f"m{len(posted)}-{i}", "client_id": uuid.uuid4().hex}
                    for attempt in range(8):
                        if attempt:
                            # Back off as a client would while the proxy notices the dead node.
                            await asyncio.sleep(0.1 * attempt)
                        try:
                            r = await poster.post(f"/chats/{group['id']}/messages", json=body)
                        except httpx.TransportError:
                            retried += 1
                            continue
                        if r.status_code in (502, 503, 504):
                            retried += 1
                            continue
                        assert r.status_code in (200, 201), r.text
                        if not posted or r.json()["id"] != posted[-1]:
                            posted.append(r.json()["id"])
                        break
                    else:
                        raise AssertionError("a message could not be posted")
                    await asyncio.sleep(0.02)

            await post(10)
            # Node A stops (SIGTERM) while messages keep coming.
            posting = asyncio.create_task(post(40))
            await asyncio.sleep(0.2)
            await asyncio.to_thread(a.stop)
            await posting
            await post(10)  # after everyone is back

            await eventually(lambda: all(set(c.ids) >= set(posted) for c in clients), 20)
            await asyncio.sleep(0.5)  # room for any duplicate to show up
        finally:
            for c in clients:
                c.stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    moved = [c for c in clients if 1012 in c.close_codes]
    stayed = [c for c in clients if 1012 not in c.close_codes]
    assert len(moved) == on_a and len(stayed) == on_b
    for c in clients:
        # Every message, exactly once, in order: the live ones, then the replay, then live.
        assert c.ids == posted, (c.user.username, c.close_codes, retried)
    assert await open_sockets(b) == 0  # all closed now
    assert_no_tokens(cluster, poster.token, *(m.token for m in members))


def test_nginx_conf_allows_parleys_upload_limit() -> None:
    text = NGINX_CONF.read_text()
    match = re.search(r"client_max_body_size (\d+)m;", text)
    assert match is not None
    mib = int(match[1])
    default_mb = Settings.model_fields["max_upload_mb"].default
    # Room for the multipart envelope (Parley allows 64 KiB), and not much more.
    assert default_mb < mib <= default_mb + 1
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "ip_hash" not in text and "sticky" not in text.replace("No sticky sessions", "")
