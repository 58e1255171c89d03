"""The database goes away while Parley serves: quick 503s, sockets stay, recovery is automatic.

A private mariadbd (never the machine's shared one) backs a real `parley serve` process.
It is killed mid-service, and later frozen (SIGSTOP: a hung server or a cut network, where
nothing answers and nothing is refused). Meanwhile every request must be answered quickly
with 503 and `Retry-After` (no hang, no 500, no traceback in the log), open sockets stay
open and answer, and once the database is back Parley serves again by itself.

Redis outages are covered by tests/test_multinode.py.
"""

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from parley.db.database import create_engine
from tests.nodes import MariaDBServer, Node, free_port, node_env
from tests.sockets import Socket, open_socket
from tests.support import BACKENDS_FOR_TESTS, Api, User, migrate_to_head

TIMEOUT = 2.0  # PARLEY_DATABASE_TIMEOUT for this test
QUICK = 3.0  # seconds: the longest an answer may take while the database is refusing
# Frozen, nothing is refused: a pre-ping and a reconnect may each wait out the timeout.
QUICK_FROZEN = 2 * TIMEOUT + 2.0
RECOVERY = 30.0  # seconds for Parley to notice the database is back


pytestmark = pytest.mark.skipif(
    "mariadb" not in BACKENDS_FOR_TESTS, reason="PARLEY_TEST_BACKENDS leaves out MariaDB"
)


@pytest.fixture
def mariadb(tmp_path: Path) -> Iterator[MariaDBServer]:
    server = MariaDBServer(free_port(), tmp_path / "mariadb")
    server.install()
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.process.send_signal(signal.SIGCONT)  # in case a test left it frozen
        server.kill()


@pytest.fixture
async def node(mariadb: MariaDBServer, tmp_path: Path) -> AsyncIterator[Node]:
    admin = create_engine(mariadb.url + "/")
    async with admin.connect() as conn:
        await conn.execute(text("CREATE DATABASE parley CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    await admin.dispose()
    url = f"{mariadb.url}/parley"
    await migrate_to_head(url)
    env = node_env(url, "", tmp_path) | {
        "PARLEY_LOG_LEVEL": "info",
        "PARLEY_DATABASE_TIMEOUT": str(TIMEOUT),
    }
    server = Node(free_port(), env, tmp_path / "node.log")
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        server.stop()


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def assert_unavailable(
    client: httpx.AsyncClient, alice: User, chat_id: int, quick: float = QUICK
) -> None:
    """Every kind of request gets a quick 503 (healthz: its own 503 body)."""
    requests = {
        "me": client.get("/auth/me", headers=alice.headers),
        "chats": client.get("/chats", headers=alice.headers),
        "history": client.get(f"/chats/{chat_id}/messages", headers=alice.headers),
        "send": client.post(
            f"/chats/{chat_id}/messages", headers=alice.headers, json={"content": "lost?"}
        ),
        "login": client.post("/auth/login", json={"username": alice.username, "password": "x" * 8}),
        "register": client.post(
            "/auth/register",
            json={"username": "newcomer", "email": "n@example.com", "password": "p" * 10},
        ),
    }
    # All at once, as real clients would: a slow one must not hold up the others.
    answers = await asyncio.gather(*(timed(r) for r in requests.values()))
    for name, (r, took) in zip(requests, answers, strict=True):
        assert r.status_code == 503, f"{name}: {r.status_code} {r.text}"
        assert took < quick, f"{name} took {took:.1f}s"
        assert r.json()["detail"] and int(r.headers["Retry-After"]) >= 1
    r, took = await timed(client.get("/healthz"))
    assert r.status_code == 503 and took < quick, (r.status_code, took)


async def assert_socket_alive(
    sock: Socket, chat_id: int, client_id: str, quick: float = QUICK
) -> None:
    await sock.send({"type": "ping"})
    await sock.next("pong", within=QUICK)
    # A send that cannot be stored is refused on the socket, which stays open.
    await sock.send(
        {"type": "message.send", "chat_id": chat_id, "content": "x", "client_id": client_id}
    )
    error = await sock.next("error", within=quick)
    assert error["code"] == "unavailable" and error["client_id"] == client_id
    await sock.send({"type": "ping"})
    await sock.next("pong", within=QUICK)


async def assert_recovers(
    client: httpx.AsyncClient, alice: User, chat_id: int, bob_ws: Socket
) -> None:
    deadline = time.monotonic() + RECOVERY
    while (await client.get("/healthz")).status_code != 200:
        assert time.monotonic() < deadline, "Parley did not reconnect to the database"
        await asyncio.sleep(0.2)
    sent = await alice.say(chat_id, "back again")
    assert (await bob_ws.next("message.new", within=5))["message"]["id"] == sent["id"]


async def test_database_outages_give_quick_503s_and_recover(
    node: Node, mariadb: MariaDBServer
) -> None:
    async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
        api = Api(client)
        alice, bob = await api.user(), await api.user()
        chat = (await alice.direct_chat(bob))["id"]
        async with open_socket(node.ws_url, bob.token) as bob_ws:
            await bob_ws.send({"type": "ping"})
            await bob_ws.next("pong")

            # 1. The database process dies: connections are refused.
            mariadb.kill()
            for _ in range(3):  # again and again: nothing piles up
                await assert_unavailable(client, alice, chat)
            await assert_socket_alive(bob_ws, chat, "during-crash")
            async with open_socket(node.ws_url, alice.token) as newcomer:
                assert await newcomer.close_code(within=QUICK) == 1013  # try again later
            await asyncio.to_thread(mariadb.start)
            await assert_recovers(client, alice, chat, bob_ws)

            # 2. The database freezes: connections open, but nothing ever answers.
            assert mariadb.process is not None
            mariadb.process.send_signal(signal.SIGSTOP)
            try:
                for _ in range(2):
                    await assert_unavailable(client, alice, chat, QUICK_FROZEN)
                await assert_socket_alive(bob_ws, chat, "during-freeze", QUICK_FROZEN)
                async with open_socket(node.ws_url, alice.token) as newcomer:
                    assert await newcomer.close_code(within=QUICK_FROZEN) == 1013
            finally:
                mariadb.process.send_signal(signal.SIGCONT)
            await assert_recovers(client, alice, chat, bob_ws)

    log = (node.log).read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert " 500 " not in log, log[-3000:]
