"""`parley serve --workers N`: N processes on one port, sharing events through Redis."""

import asyncio
from pathlib import Path

import httpx

from tests.nodes import Node, RedisServer, free_port, node_env
from tests.sockets import open_socket
from tests.support import Api, mariadb_database


def _workers(pid: int) -> list[int]:
    """The server processes uvicorn started (its resource tracker is a child too)."""
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [
        child
        for child in children
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


async def test_two_workers_share_one_port_and_every_event(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    async with mariadb_database() as url:
        node = Node(free_port(), node_env(url, redis_server.url, tmp_path), tmp_path / "w.log")
        node.args = ("--workers", "2")
        node.start()
        try:
            assert node.process is not None
            workers = _workers(node.process.pid)
            assert len(workers) == 2, workers
            async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
                api = Api(client)
                alice, bob = await api.user(), await api.user()
                chat = await alice.group("Across workers", bob)
            # Eight sockets: the kernel spreads them over both processes.
            sockets = [open_socket(node.ws_url, bob.token) for _ in range(8)]
            opened = [await s.__aenter__() for s in sockets]
            try:
                for sock in opened:
                    await sock.send({"type": "ping"})
                    await sock.next("pong")
                sent = []
                for i in range(6):  # a fresh connection each: any worker may take it
                    async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
                        r = await client.post(
                            f"/chats/{chat['id']}/messages",
                            json={"content": f"hello {i}"},
                            headers=alice.headers,
                        )
                        assert r.status_code == 201, r.text
                        sent.append(r.json()["id"])
                for sock in opened:
                    got = [(await sock.next("message.new"))["message"]["id"] for _ in sent]
                    assert got == sent
            finally:
                for s in sockets:
                    await s.__aexit__(None, None, None)
        finally:
            node.stop()
            await asyncio.sleep(0)


def test_workers_need_redis(tmp_path: Path) -> None:
    node = Node(free_port(), node_env("", "", tmp_path), tmp_path / "solo.log")
    node.args = ("--workers", "2")
    try:
        node.start()
    except AssertionError as exc:
        assert "--workers above 1 needs PARLEY_REDIS_URL" in str(exc)
    else:
        node.stop()
        raise AssertionError("a second worker without Redis would not get the first's events")
