"""A server process killed (SIGKILL) in the middle of a sending load loses nothing.

REST and socket senders send with client_ids while a third user listens on a socket; the
node is killed without warning, then started again on the same database. Afterwards:

* every message that was acknowledged (201/200 or `message.ack`) is stored exactly once,
  with its content;
* senders retry everything that was not acknowledged, with the same client_id: each
  retry is stored once (201) or answered with the original (200), never twice;
* every message the listener saw before the crash is still there, and the listener
  catches up with `since` on reconnecting: no gap, no duplicate.

Runs on SQLite (a file database, WAL) and on MariaDB.
"""

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.nodes import Node, free_port, node_env
from tests.sockets import Socket, open_socket
from tests.support import BACKENDS_FOR_TESTS, Api, User, mariadb_database, migrate_to_head

REST_SENDERS = 4
SOCKET_SENDERS = 2
KILL_AFTER_ACKS = 150  # acknowledged messages before the kill (or KILL_AFTER seconds)
KILL_AFTER = 10.0


@dataclass
class Ledger:
    """What each client_id was sent as, and what the server acknowledged."""

    content: dict[str, str] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id
    enough: asyncio.Event = field(default_factory=asyncio.Event)  # time to pull the plug

    def ack(self, client_id: str, message_id: int) -> None:
        self.acked[client_id] = message_id
        if len(self.acked) >= KILL_AFTER_ACKS:
            self.enough.set()

    def attempt(self, client_id: str) -> str:
        self.content[client_id] = f"payload of {client_id}"
        return self.content[client_id]

    @property
    def unacked(self) -> list[str]:
        return [c for c in self.content if c not in self.acked]


@asynccontextmanager
async def database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"  # `parley serve` migrates it
    else:
        async with mariadb_database() as url:
            await migrate_to_head(url)
            yield url


async def rest_sender(user: User, chat_id: int, ledger: Ledger, name: str) -> None:
    i = 0
    while True:
        client_id = f"{name}-{i}"
        content = ledger.attempt(client_id)
        try:
            r = await user.post(
                f"/chats/{chat_id}/messages", json={"content": content, "client_id": client_id}
            )
        except httpx.HTTPError:
            return  # the node is gone; this one stays unacknowledged
        if r.status_code not in (200, 201):
            return
        ledger.ack(client_id, r.json()["id"])
        i += 1


async def socket_sender(sock: Socket, chat_id: int, ledger: Ledger, name: str) -> None:
    i = 0
    try:
        while True:
            client_id = f"{name}-{i}"
            content = ledger.attempt(client_id)
            await sock.send(
                {
                    "type": "message.send",
                    "chat_id": chat_id,
                    "content": content,
                    "client_id": client_id,
                }
            )
            while True:
                frame = await sock.next(within=30)
                if frame.get("client_id") != client_id:
                    continue
                if frame["type"] != "message.ack":
                    return
                ledger.ack(client_id, frame["message"]["id"])
                break
            i += 1
    except (ConnectionClosed, OSError, TimeoutError):
        return


async def listener(sock: Socket, seen: list[int]) -> None:
    try:
        while True:
            frame = await sock.next("message.new", within=60)
            seen.append(frame["message"]["id"])
    except (ConnectionClosed, OSError, TimeoutError):
        return


async def history(user: User, chat_id: int) -> list[dict[str, Any]]:
    """The whole chat, oldest first (paging back from the newest)."""
    messages: list[dict[str, Any]] = []
    while True:
        params = {"limit": 200, **({"before": messages[0]["id"]} if messages else {})}
        r = await user.get(f"/chats/{chat_id}/messages", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        messages = page + messages
        if len(page) < 200:
            return messages


@pytest.mark.parametrize("backend", BACKENDS_FOR_TESTS)
async def test_sigkill_mid_load_loses_and_duplicates_nothing(backend: str, tmp_path: Path) -> None:
    async with database(backend, tmp_path) as url:
        node = Node(free_port(), node_env(url, "", tmp_path), tmp_path / "node.log")
        await asyncio.to_thread(node.start)
        ledger = Ledger()
        seen_before: list[int] = []
        try:
            async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
                api = Api(client)
                alice, bob, carol = await api.user(), await api.user(), await api.user()
                chat = (await alice.group("Crash", bob, carol))["id"]
                async with (
                    open_socket(node.ws_url, bob.token) as s1,
                    open_socket(node.ws_url, bob.token) as s2,
                    open_socket(node.ws_url, carol.token) as watch,
                ):
                    for sock in (s1, s2, watch):
                        await sock.send({"type": "ping"})
                        await sock.next("pong")
                    tasks = [
                        *(
                            asyncio.create_task(rest_sender(alice, chat, ledger, f"rest{n}"))
                            for n in range(REST_SENDERS)
                        ),
                        asyncio.create_task(socket_sender(s1, chat, ledger, "ws0")),
                        asyncio.create_task(socket_sender(s2, chat, ledger, "ws1")),
                        asyncio.create_task(listener(watch, seen_before)),
                    ]
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ledger.enough.wait(), KILL_AFTER)
                    node.stop(signal.SIGKILL)  # mid-flight: requests and frames in the air
                    await asyncio.wait_for(asyncio.gather(*tasks), 60)
            acked_before = dict(ledger.acked)
            assert len(acked_before) >= 50, "too little load to mean anything"
            assert ledger.unacked, "the kill landed between requests; nothing was in flight"

            await asyncio.to_thread(node.start)  # same port, same database
            await _retry_and_verify(
                node, ledger, acked_before, seen_before, alice, bob, carol, chat
            )
        finally:
            node.stop(signal.SIGKILL)


async def _retry_and_verify(
    node: Node,
    ledger: Ledger,
    acked_before: dict[str, int],
    seen_before: list[int],
    *users_and_chat: Any,
) -> None:
    alice, bob, carol, chat = users_and_chat
    async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
        for user in (alice, bob, carol):
            user.client = client  # access tokens outlive the restart (same signing key)
        retried: dict[str, int] = {}
        async with open_socket(node.ws_url, bob.token) as sock:
            for client_id in ledger.unacked:
                content = ledger.content[client_id]
                if client_id.startswith("rest"):
                    r = await alice.post(
                        f"/chats/{chat}/messages", json={"content": content, "client_id": client_id}
                    )
                    assert r.status_code in (200, 201), r.text
                    retried[client_id] = r.status_code
                    ledger.acked[client_id] = r.json()["id"]
                else:
                    await sock.send(
                        {
                            "type": "message.send",
                            "chat_id": chat,
                            "content": content,
                            "client_id": client_id,
                        }
                    )
                    ack = await sock.next("message.ack", within=10)
                    assert ack["client_id"] == client_id
                    ledger.acked[client_id] = ack["message"]["id"]
            # Acknowledged ones repeated (a client unsure whether its ack arrived) are not
            # stored again either.
            repeats = [c for c in acked_before if c.startswith("rest")][-3:]
            repeats += [c for c in acked_before if c.startswith("ws")][-3:]
            assert len(repeats) == 6
            for client_id in repeats:
                body = {"content": ledger.content[client_id], "client_id": client_id}
                if client_id.startswith("rest"):
                    r = await alice.post(f"/chats/{chat}/messages", json=body)
                    assert r.status_code == 200 and r.json()["id"] == acked_before[client_id]
                else:
                    await sock.send({"type": "message.send", "chat_id": chat, **body})
                    ack = await sock.next("message.ack", within=10)
                    assert ack["message"]["id"] == acked_before[client_id]

        stored = await history(carol, chat)
        by_client: dict[str, list[dict[str, Any]]] = {}
        for message in stored:
            by_client.setdefault(message["client_id"], []).append(message)
        duplicates = {c: len(ms) for c, ms in by_client.items() if len(ms) > 1}
        assert duplicates == {}, f"stored more than once: {duplicates}"
        assert set(by_client) == set(ledger.content), "stored != sent"
        lost = [c for c, mid in acked_before.items() if by_client.get(c, [{}])[0].get("id") != mid]
        assert lost == [], f"acknowledged before the crash but not stored as acknowledged: {lost}"
        for client_id, [message] in by_client.items():
            assert message["content"] == ledger.content[client_id]
            assert message["id"] == ledger.acked[client_id]
        assert set(seen_before) <= {m["id"] for m in stored}, "a delivered message was lost"

        # The listener reconnects with `since` and gets exactly what it missed, in order.
        since = max(seen_before) if seen_before else 0
        expected = [m["id"] for m in stored if m["id"] > since]
        async with open_socket(node.ws_url, carol.token, since=since) as watch:
            replayed = [(await watch.next("message.new"))["message"]["id"] for _ in expected]
            assert replayed == expected
            assert await watch.quiet("message.new", 0.5) == []
        assert sorted(set(seen_before) | set(replayed)) == [m["id"] for m in stored]
        # For the log (-s): how many retries found their message already stored (200).
        print(f"acknowledged before the kill: {len(acked_before)}; retried: {retried}")
