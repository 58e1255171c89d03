"""Hostile WebSocket frames never crash the server, end the sender's socket or delay others.

Mallory sends generated frames (Hypothesis: binary, text that is not JSON, JSON of every
shape, frames that are almost right, huge numbers, deep nesting) and floods, on her own
socket, each followed by a probe that must be answered: her socket stays open and usable,
and the server logs no error.
Meanwhile Bob sends a message every 100 ms and Alice's socket must receive each one within
a second; at the end none is missing.
"""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.nodes import Node, free_port, node_env
from tests.sockets import Socket, open_socket
from tests.support import Api, RunningServer, User

EXAMPLES = 1000
ON_TIME = 1.0  # seconds from Bob's send to Alice's socket, for every message
WS_MAX_FRAME = 64 * 1024
KNOWN_TYPES = ["message.send", "typing", "read", "ping"]

# ------------------------------------------------------------------ frame strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)


def field_values(good: Any) -> st.SearchStrategy[Any]:
    """A field's value: right, or wrong in type, range or encoding."""
    return st.one_of(
        st.just(good),
        json_values,
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64, 10**30, 1.0, 1e400, -1e400]),
        st.text(max_size=200),
        st.sampled_from(["\ud800", "\x00", "🙂" * 1000, " " * 10, "1"]),
    )


def almost_valid(chat_id: int) -> st.SearchStrategy[dict[str, Any]]:
    optional = st.fixed_dictionaries(
        {},
        optional={
            "chat_id": field_values(chat_id),
            "content": field_values("fuzz"),
            "client_id": field_values("fuzz-1"),
            "message_id": field_values(1),
            "attachment_url": field_values("/attachments/1"),
            "extra": json_values,
        },
    )
    kinds = st.sampled_from([*KNOWN_TYPES, "message.ack", "", "PING", "typing "]) | json_values
    return st.builds(lambda kind, rest: {"type": kind, **rest}, kinds, optional)


def raw_json(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


def frames(chat_id: int) -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        st.binary(max_size=4096),
        # Text frames must be UTF-8 (else the protocol itself closes with 1007).
        st.text(st.characters(exclude_categories=["Cs"]), max_size=4096),
        json_values.map(raw_json),
        almost_valid(chat_id).map(raw_json),
        # Hand-written shapes that parsers and validators trip over.
        st.sampled_from(
            [
                "",
                "null",
                "[]",
                '"ping"',
                "{",
                '{"type": "ping"',
                '{"type": "ping"}' * 2,
                '{"type": "read", "chat_id": 1' + "0" * 5000 + ', "message_id": 1}',
                '{"type": "read", "chat_id": 1e400, "message_id": -1e400}',
                '{"type": "read", "chat_id": NaN, "message_id": Infinity}',
                f'{{"type": "message.send", "chat_id": {chat_id}, "content": "\\ud800"}}',
                '{"type": "ping", "type": "message.send"}',
                "[" * 30_000 + "]" * 30_000,
                '{"a":' * 10_000 + "1" + "}" * 10_000,
                '{"type": "typing", "chat_id": ' + "[" * 20_000 + "]" * 20_000 + "}",
            ]
        ),
    )


# ------------------------------------------------------------------ the fuzzing client


@dataclass
class Mallory:
    url: str
    problems: list[str] = field(default_factory=list)
    ws: ClientConnection | None = None
    sockets: ExitStack = field(default_factory=ExitStack)
    probes: int = 0

    def connect(self) -> ClientConnection:
        if self.ws is None:
            self.ws = self.sockets.enter_context(connect(self.url, open_timeout=5, max_size=None))
        return self.ws

    def still_answers(self, after: str, within: float = 5.0) -> None:
        """The socket survived ``after`` and still works: a probe gets its own answer.

        The probe is an invalid frame carrying a fresh client_id, which the error frame
        echoes; everything before it (answers to earlier frames) is read and dropped.
        """
        ws = self.connect()
        self.probes += 1
        probe = f"probe-{self.probes}"
        try:
            ws.send(json.dumps({"type": "read", "chat_id": 0, "message_id": 0, "client_id": probe}))
            deadline = time.monotonic() + within
            while True:
                reply = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
                if isinstance(reply, str) and json.loads(reply).get("client_id") == probe:
                    return
        except (ConnectionClosed, TimeoutError) as exc:
            code = getattr(getattr(exc, "rcvd", None), "code", None)
            self.problems.append(f"socket lost after {after[:200]!r}: {exc!r} (close {code})")
            self.ws = None  # reconnect for the next example
            raise AssertionError(self.problems[-1]) from None

    def send(self, frame: str | bytes) -> None:
        try:
            self.connect().send(frame)
        except ConnectionClosed as exc:
            self.problems.append(f"socket closed while sending {frame[:200]!r}: {exc!r}")
            self.ws = None
            raise AssertionError(self.problems[-1]) from None

    def close(self) -> None:
        self.sockets.close()


def fuzz(mallory: Mallory, chat_id: int) -> None:
    """Runs in a thread: Hypothesis wants a plain function and a blocking client."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same frames on every run: CI failures reproduce
        suppress_health_check=list(HealthCheck),
    )
    @given(frame=frames(chat_id))
    def one_frame(frame: str | bytes) -> None:
        if len(frame.encode() if isinstance(frame, str) else frame) > WS_MAX_FRAME:
            return  # 1009 by design: see the test below
        mallory.send(frame)
        mallory.still_answers(repr(frame))

    one_frame()
    # Floods: thousands of frames without reading a single reply, then a probe.
    for name, flood in (
        ("pings", [json.dumps({"type": "ping"})] * 3000),
        ("garbage", ["not json"] * 3000),
        ("binary", [b"\x00" * 100] * 3000),
        ("typing", [json.dumps({"type": "typing", "chat_id": chat_id})] * 2000),
        ("reads", [json.dumps({"type": "read", "chat_id": chat_id, "message_id": 1})] * 1000),
        (
            "sends",
            [
                json.dumps({"type": "message.send", "chat_id": chat_id, "content": f"f{i}"})
                for i in range(500)
            ],
        ),
    ):
        try:
            for frame in flood:
                mallory.send(frame)
            mallory.still_answers(f"a flood of {name}", within=30)
        except AssertionError:
            pass  # recorded in mallory.problems


# ------------------------------------------------------------------ the observer


@dataclass
class Heartbeat:
    """Bob sends every 100 ms; Alice's socket must see each message within ON_TIME."""

    bob: Socket
    alice: Socket
    chat_id: int
    sent: dict[str, float] = field(default_factory=dict)
    late: list[str] = field(default_factory=list)
    received: set[str] = field(default_factory=set)
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    worst: float = 0.0

    async def send_until(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            client_id = f"beat-{n}"
            self.sent[client_id] = time.monotonic()
            await self.bob.send(
                {
                    "type": "message.send",
                    "chat_id": self.chat_id,
                    "content": "♥",
                    "client_id": client_id,
                }
            )
            n += 1
            await asyncio.sleep(0.1)

    async def drain_bob(self) -> None:
        while True:
            await self.bob.ws.recv()  # acks and echoes; read so Bob's queue never fills

    async def watch(self) -> None:
        while True:
            frame = json.loads(await self.alice.ws.recv())
            if frame["type"] != "message.new":
                continue
            client_id = frame["message"]["client_id"]
            if client_id in self.sent:
                delay = time.monotonic() - self.sent[client_id]
                self.received.add(client_id)
                self.worst = max(self.worst, delay)
                if delay > ON_TIME:
                    self.late.append(f"{client_id} took {delay:.2f}s")
                if self.received == set(self.sent):
                    self.caught_up.set()


@contextmanager
def running(*tasks: asyncio.Task[None]) -> Iterator[None]:
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()


async def test_hostile_frames_do_not_hurt_the_server_or_other_clients(
    database_url: str, tmp_path: Path
) -> None:
    # A real server process: the fuzzing client's work in this process cannot slow it,
    # and what it logs is checked afterwards.
    env = node_env(database_url, "", tmp_path) | {"PARLEY_LOG_LEVEL": "warning"}
    node = Node(free_port(), env, tmp_path / "node.log")
    await asyncio.to_thread(node.start)
    try:
        async with httpx.AsyncClient(base_url=node.base_url) as client:
            api = Api(client)
            alice, bob, mallory_user = await api.user(), await api.user(), await api.user()
            group = await alice.group("Fuzzed", bob, mallory_user)
            beat, mallory = await _fuzz_while_watching(node, alice, bob, mallory_user, group["id"])
            await _still_serves(node, api)
        assert node.process is not None and node.process.poll() is None, "the server died"
    finally:
        node.stop()
    # Nothing went wrong inside the server either: no unhandled errors, no tracebacks.
    log = node.log.read_text(errors="replace")
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    assert mallory.problems == [], "\n".join(mallory.problems)
    missing = sorted(set(beat.sent) - beat.received)
    assert len(beat.sent) >= 20, "the fuzzing was over too soon to mean anything"
    assert missing == [], f"{len(missing)} of {len(beat.sent)} messages never reached Alice"
    assert beat.late == [], f"{len(beat.late)} messages were late: {beat.late[:10]}"
    print(f"{len(beat.sent)} heartbeats, the slowest took {beat.worst:.3f}s")  # for -s


async def _fuzz_while_watching(
    node: Node, alice: User, bob: User, mallory_user: User, chat_id: int
) -> tuple[Heartbeat, Mallory]:
    async with (
        open_socket(node.ws_url, alice.token) as alice_ws,
        open_socket(node.ws_url, bob.token) as bob_ws,
    ):
        for sock in (alice_ws, bob_ws):
            await sock.send({"type": "ping"})
            await sock.next("pong")
        beat = Heartbeat(bob_ws, alice_ws, chat_id)
        stop = threading.Event()
        watcher = asyncio.create_task(beat.watch())
        drainer = asyncio.create_task(beat.drain_bob())
        sender = asyncio.create_task(beat.send_until(stop))
        mallory = Mallory(f"{node.ws_url}/ws?token={mallory_user.token}")
        with running(watcher, drainer):
            try:
                await asyncio.to_thread(fuzz, mallory, chat_id)
            finally:
                stop.set()
                await sender
                await asyncio.to_thread(mallory.close)
            # Let the last heartbeats arrive.
            beat.caught_up.clear()
            if beat.received != set(beat.sent):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(beat.caught_up.wait(), ON_TIME + 1)
            assert not watcher.done(), "Alice's socket ended"
    return beat, mallory


async def _still_serves(node: Node, api: Api) -> None:
    carol = await api.user()
    r = await carol.get("/auth/me")
    assert r.status_code == 200, r.text
    async with open_socket(node.ws_url, carol.token) as sock:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def test_an_oversized_frame_closes_only_that_socket(api: Api, server: RunningServer) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    async with (
        open_socket(server.ws_url, alice.token, max_size=None) as big,
        open_socket(server.ws_url, bob.token) as other,
    ):
        await big.send("x" * (WS_MAX_FRAME + 1))
        assert await big.close_code() == 1009
        sent = await alice.say(chat["id"], "still here")
        assert (await other.next("message.new"))["message"]["id"] == sent["id"]
