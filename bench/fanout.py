"""WebSocket fan-out benchmark: real sockets, a real `parley serve`, a separate process.

Not a test. It starts the server(s) itself on free loopback ports, registers users and
creates groups through the HTTP API, opens one `/ws` socket per client and then offers
`message.send` frames at a fixed rate with an open-loop scheduler (the send time is the
*scheduled* time, so a slow server cannot hide queueing delay). Every `message.new` is
timed on arrival, checked for duplicates (same message id twice on one socket) and, once
the stragglers are in, for loss (every socket of every member of the chat, the sender's
own included, must get every acknowledged message).

    .venv/bin/python bench/fanout.py [--scenario target|max|idle|redis|all] [--quick]

Scenarios (SQLite and one server process unless said otherwise):

* target -- 200 clients in 10 groups of 20, 100 messages/s offered; p99 < 50 ms, 0 lost.
* max    -- the same clients, offered rate stepped up until p99 >= 100 ms, loss, or the
            server no longer accepts what is offered; reports the best deliveries/s.
* idle   -- 10,000 idle sockets (50 users, 200 sockets each); server VmRSS before and
            after, per socket (target < 50 KiB), with and without permessage-deflate.
* redis  -- two nodes sharing a fresh MariaDB database and Redis pub/sub, clients split
            across the nodes; the target rate, then stepped up as in `max`.

Results are written to bench/results/fanout-<scenario>[-quick].json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import secrets
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import common
import httpx
from common import ACK_PREFIX, CONTENT_PAD, ERROR_PREFIX, NEW_PREFIX, say
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

REDIS_URL = os.environ.get("PARLEY_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

# Targets from the issue (2-core machine).
TARGET_RATE = 100.0
TARGET_P99_MS = 50.0
MAX_P99_MS = 100.0
IDLE_TARGET_KIB = 50.0


# --------------------------------------------------------------------------- servers


def _raise_nofile() -> None:
    """Soft file-descriptor limit up to the hard one (here and in the server children)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _vmrss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Server(common.ServerProcess):
    def rss_kib(self) -> int:
        return _vmrss_kib(self.proc.pid)

    def runqueue_wait_seconds(self) -> float:
        """Time the event-loop thread spent runnable but waiting for a CPU."""
        return int(Path(f"/proc/{self.proc.pid}/schedstat").read_text().split()[1]) / 1e9

    def cpu_seconds(self) -> float:
        return common.cpu_seconds(self.proc.pid)


def _server_env(database_url: str, data_dir: Path, redis_url: str = "") -> dict[str, str]:
    return common.unlimited_env(
        database_url,
        data_dir,
        redis_url,
        # The idle scenario holds hundreds of sockets per user; the default allows 20.
        PARLEY_MAX_SOCKETS_PER_USER="100000",
    )


def _start_server(name: str, env: dict[str, str], log_dir: Path) -> Server:
    port = common.free_port()
    log_path = log_dir / f"server-{name}.log"
    proc = common.start_server(
        common.parley_serve(port),
        env,
        port,
        log_path,
        "parley serve",
        preexec_fn=_raise_nofile,  # only raises a limit
    )
    say(f"server {name} up on port {port} (pid {proc.pid})")
    return Server(name, proc, port, log_path)


@contextmanager
def servers_sqlite(tmp: Path) -> Iterator[list[Server]]:
    server = _start_server("sqlite", _server_env(f"sqlite+aiosqlite:///{tmp}/fanout.db", tmp), tmp)
    try:
        yield [server]
    finally:
        common.stop(server.proc)


@contextmanager
def servers_redis(tmp: Path, nodes: int = 2) -> Iterator[list[Server]]:
    db = f"parley_fanout_{secrets.token_hex(4)}"
    asyncio.run(common.mysql(f"CREATE DATABASE {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    say(f"created MariaDB database {db}")
    started: list[Server] = []
    try:
        env = _server_env(f"{common.MYSQL_SERVER_URL}/{db}", tmp, REDIS_URL)
        subprocess.run([str(common.PARLEY_EXE), "migrate"], env=env, check=True, timeout=120)
        for i in range(nodes):
            started.append(_start_server(f"node{i + 1}", env, tmp))
        yield started
    finally:
        for server in started:
            common.stop(server.proc)
        asyncio.run(common.mysql(f"DROP DATABASE IF EXISTS {db}"))
        say(f"dropped MariaDB database {db}")


# --------------------------------------------------------------------------- users


@dataclass
class Account:
    user_id: int
    token: str


async def register_users(base_url: str, count: int, prefix: str) -> list[Account]:
    limit = asyncio.Semaphore(8)

    async def one(i: int) -> Account:
        async with limit:
            return Account(*await common.sign_up(http, f"{prefix}{i}"))

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def create_groups(base_url: str, groups: Sequence[Sequence[Account]]) -> list[int]:
    chat_ids = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        for n, members in enumerate(groups):
            owner, others = members[0], [a.user_id for a in members[1:]]
            resp = await http.post(
                "/chats",
                json={"is_group": True, "title": f"bench {n}", "member_ids": others},
                headers={"Authorization": f"Bearer {owner.token}"},
            )
            resp.raise_for_status()
            chat_ids.append(int(resp.json()["id"]))
    return chat_ids


# --------------------------------------------------------------------------- measuring


@dataclass
class StepStats:
    """What one offered-rate step saw; filled in by the readers while it runs."""

    tag: str
    sent_at: dict[str, float] = field(default_factory=dict)  # client_id -> scheduled time
    acked: dict[str, tuple[int, int]] = field(default_factory=dict)  # -> (message id, chat)
    latencies: list[float] = field(default_factory=list)
    ack_latencies: list[float] = field(default_factory=list)
    deliveries: int = 0
    duplicates: int = 0
    errors: int = 0
    stray: int = 0  # message.new of an earlier step
    first_send: float = 0.0
    last_ack: float = 0.0
    last_delivery: float = 0.0
    max_schedule_lag: float = 0.0


class Recorder:
    def __init__(self) -> None:
        self.step: StepStats | None = None
        self.closed_unexpectedly = 0
        self.offered = 0  # message.send frames queued, over the whole run
        self.answered = 0  # acks and errors received, over the whole run

    async def drain(self, limit: float = 60.0) -> None:
        """Wait (bounded) until every frame offered so far has been answered."""
        for _ in range(int(limit * 10)):
            if self.answered >= self.offered:
                break
            await asyncio.sleep(0.1)
        if self.answered < self.offered:
            say(f"  {self.offered - self.answered} sends still unanswered after {limit:g} s")


class Client:
    """One socket of one group member; reads every frame and records the ones that count."""

    def __init__(self, ws: ClientConnection, account: Account, chat_id: int, node: int) -> None:
        self.ws = ws
        self.account = account
        self.chat_id = chat_id
        self.node = node
        self.seen: set[int] = set()
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    async def read(self, rec: Recorder) -> None:
        clock = time.perf_counter
        loads = json.loads
        try:
            async for text in self.ws:
                now = clock()
                if not isinstance(text, str):
                    continue
                step = rec.step
                if text.startswith(NEW_PREFIX):
                    if step is None:
                        continue
                    message = loads(text)["message"]
                    sent = step.sent_at.get(message["client_id"])
                    if sent is None:
                        step.stray += 1
                    elif message["id"] in self.seen:
                        step.duplicates += 1
                    else:
                        self.seen.add(message["id"])
                        step.latencies.append(now - sent)
                        step.deliveries += 1
                        step.last_delivery = now
                elif text.startswith(ACK_PREFIX):
                    rec.answered += 1
                    if step is None:
                        continue
                    frame = loads(text)
                    cid, message = frame["client_id"], frame["message"]
                    sent = step.sent_at.get(cid)
                    if sent is not None:
                        step.acked[cid] = (message["id"], message["chat_id"])
                        step.ack_latencies.append(now - sent)
                        step.last_ack = now
                elif text.startswith(ERROR_PREFIX):
                    rec.answered += 1
                    if step is not None:
                        step.errors += 1
        except ConnectionClosed:
            rec.closed_unexpectedly += 1

    async def write(self) -> None:
        while True:
            await self.ws.send(await self.queue.get())


@dataclass
class StepResult:
    offered_rate: float
    duration_s: float
    offered: int
    accepted: int
    accepted_per_s: float
    expected_deliveries: int
    deliveries: int
    deliveries_per_s: float
    lost: int
    duplicates: int
    errors: int
    unacked: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    ack_p50_ms: float
    ack_p99_ms: float
    max_schedule_lag_ms: float
    client_cpu: float  # fraction of one core used by this load generator
    server_cpu: list[float]  # per server process, fraction of one core
    # Per server, fraction of the step its event loop was runnable but had no CPU: the
    # other processes on this 2-core machine (the load generator included) took it.
    server_runqueue_wait: list[float]
    closed_unexpectedly: int
    loadavg_1m: float  # machine load at the end of the step (other processes included)


async def run_step(
    clients: Sequence[Client],
    senders: Sequence[Client],
    servers: Sequence[Server],
    rec: Recorder,
    rate: float,
    duration: float,
    grace: float,
    tag: str,
) -> StepResult:
    step = StepStats(tag)
    for c in clients:
        c.seen = set()
    members: dict[int, int] = {}
    for c in clients:
        members[c.chat_id] = members.get(c.chat_id, 0) + 1
    gc.collect()
    gc.disable()
    rec.step = step
    cpu0, srv0 = time.process_time(), [s.cpu_seconds() for s in servers]
    wait0 = [s.runqueue_wait_seconds() for s in servers]
    total = int(rate * duration)
    clock = time.perf_counter
    t0 = clock() + 0.05
    step.first_send = t0
    try:
        for i in range(total):
            due = t0 + i / rate
            delay = due - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                step.max_schedule_lag = max(step.max_schedule_lag, -delay)
                if i % 32 == 0:
                    await asyncio.sleep(0)
            sender = senders[i % len(senders)]
            cid = f"{tag}-{i}"
            step.sent_at[cid] = due
            frame = {
                "type": "message.send",
                "chat_id": sender.chat_id,
                "content": f"{cid} {CONTENT_PAD}",
                "client_id": cid,
            }
            sender.queue.put_nowait(json.dumps(frame, separators=(",", ":")))
            rec.offered += 1
        end = t0 + duration
        expected_min = total * min(members.values())
        while clock() < end + grace:
            if len(step.acked) >= total and step.deliveries >= expected_min:
                # Everything is in when every acked message reached every member socket.
                want = sum(members[chat] for _, chat in step.acked.values())
                if step.deliveries >= want:
                    break
            await asyncio.sleep(0.05)
        wall = clock() - t0
    finally:
        rec.step = None
        gc.enable()
    await rec.drain()  # a backlog must not spill into the next step
    cpu = (time.process_time() - cpu0) / wall
    srv = [(s.cpu_seconds() - before) / wall for s, before in zip(servers, srv0, strict=True)]
    waited = [
        (s.runqueue_wait_seconds() - before) / wall
        for s, before in zip(servers, wait0, strict=True)
    ]
    by_chat: dict[int, set[int]] = {}
    for mid, chat in step.acked.values():
        by_chat.setdefault(chat, set()).add(mid)
    expected = sum(len(by_chat.get(c.chat_id, ())) for c in clients)
    lost = sum(len(by_chat.get(c.chat_id, set()) - c.seen) for c in clients)
    lat = sorted(step.latencies)
    ack = sorted(step.ack_latencies)
    span_ack = max(step.last_ack - t0, duration)
    span_del = max(step.last_delivery - t0, duration)
    ms = 1000.0
    return StepResult(
        offered_rate=rate,
        duration_s=duration,
        offered=total,
        accepted=len(step.acked),
        accepted_per_s=round(len(step.acked) / span_ack, 1),
        expected_deliveries=expected,
        deliveries=step.deliveries,
        deliveries_per_s=round(step.deliveries / span_del, 1),
        lost=lost,
        duplicates=step.duplicates,
        errors=step.errors,
        unacked=total - len(step.acked),
        p50_ms=round(common.pct(lat, 0.50) * ms, 2),
        p95_ms=round(common.pct(lat, 0.95) * ms, 2),
        p99_ms=round(common.pct(lat, 0.99) * ms, 2),
        max_ms=round((lat[-1] if lat else float("nan")) * ms, 2),
        ack_p50_ms=round(common.pct(ack, 0.50) * ms, 2),
        ack_p99_ms=round(common.pct(ack, 0.99) * ms, 2),
        max_schedule_lag_ms=round(step.max_schedule_lag * ms, 2),
        client_cpu=round(cpu, 2),
        server_cpu=[round(x, 2) for x in srv],
        server_runqueue_wait=[round(x, 2) for x in waited],
        closed_unexpectedly=rec.closed_unexpectedly,
        loadavg_1m=os.getloadavg()[0],
    )


def _show(r: StepResult) -> None:
    say(
        f"  offered {r.offered_rate:g}/s: accepted {r.accepted_per_s}/s, "
        f"deliveries {r.deliveries_per_s}/s, p50/p95/p99/max "
        f"{r.p50_ms}/{r.p95_ms}/{r.p99_ms}/{r.max_ms} ms, lost {r.lost}, dup {r.duplicates}, "
        f"errors {r.errors}, unacked {r.unacked}, cpu client {r.client_cpu} "
        f"server {r.server_cpu} (runqueue wait {r.server_runqueue_wait}), load {r.loadavg_1m}"
    )


# --------------------------------------------------------------------------- fan-out runs


@dataclass
class FanoutConfig:
    groups: int = 10
    group_size: int = 20
    senders_per_group: int = 2
    duration: float = 10.0
    grace: float = 2.0
    deflate: bool = True


@asynccontextmanager
async def fanout_clients(
    servers: Sequence[Server], cfg: FanoutConfig, rec: Recorder
) -> AsyncIterator[tuple[list[Client], list[Client]]]:
    n = cfg.groups * cfg.group_size
    say(f"registering {n} users and {cfg.groups} groups of {cfg.group_size}")
    prefix = f"fo{secrets.token_hex(2)}_"
    accounts = await register_users(servers[0].base_url, n, prefix)
    groups = [accounts[g * cfg.group_size : (g + 1) * cfg.group_size] for g in range(cfg.groups)]
    chat_ids = await create_groups(servers[0].base_url, groups)
    say(f"opening {n} sockets across {len(servers)} node(s)")
    limit = asyncio.Semaphore(50)
    compression = "deflate" if cfg.deflate else None

    async def open_one(i: int) -> Client:
        g, node = i // cfg.group_size, i % len(servers)
        async with limit:
            ws = await common.open_socket(servers[node].ws_url, accounts[i].token, compression)
        return Client(ws, accounts[i], chat_ids[g], node)

    clients = list(await asyncio.gather(*(open_one(i) for i in range(n))))
    for c in clients:
        c.tasks = [asyncio.create_task(c.read(rec)), asyncio.create_task(c.write())]
    senders = [c for i, c in enumerate(clients) if i % cfg.group_size < cfg.senders_per_group]
    await asyncio.sleep(1.0)  # presence announcements settle
    try:
        yield clients, senders
    finally:
        for c in clients:
            for task in c.tasks:
                task.cancel()
        await asyncio.gather(*(t for c in clients for t in c.tasks), return_exceptions=True)
        await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)


def _ok(r: StepResult, p99_ms: float) -> bool:
    return (
        r.p99_ms < p99_ms
        and r.lost == 0
        and r.duplicates == 0
        and r.unacked == 0
        and r.accepted_per_s >= 0.95 * r.offered_rate
    )


async def fanout(
    servers: Sequence[Server],
    cfg: FanoutConfig,
    target_rate: float | None,
    ladder: Sequence[float],
) -> dict[str, Any]:
    rec = Recorder()
    out: dict[str, Any] = {"config": asdict(cfg), "nodes": len(servers)}
    async with fanout_clients(servers, cfg, rec) as (clients, senders):
        say(f"{len(clients)} clients connected, {len(senders)} senders")
        await run_step(clients, senders, servers, rec, 20, 2.0, 1.0, "warm")
        if target_rate is not None:
            say(f"target step: {target_rate:g} messages/s for {cfg.duration:g} s")
            r = await run_step(
                clients, senders, servers, rec, target_rate, cfg.duration, cfg.grace, "t"
            )
            _show(r)
            out["target"] = asdict(r) | {"met": _ok(r, TARGET_P99_MS)}
        steps: list[StepResult] = []
        best: StepResult | None = None
        for n, rate in enumerate(ladder):
            say(f"step {n + 1}/{len(ladder)}: {rate:g} messages/s for {cfg.duration:g} s")
            r = await run_step(
                clients, senders, servers, rec, rate, cfg.duration, cfg.grace, f"m{n}"
            )
            _show(r)
            steps.append(r)
            if not _ok(r, MAX_P99_MS):
                say("  p99/loss/acceptance limit reached; stopping the ladder")
                break
            best = r
        if ladder:
            out["steps"] = [asdict(s) for s in steps]
            out["best"] = asdict(best) if best else None
    return out


# --------------------------------------------------------------------------- idle sockets


async def idle(server: Server, sockets: int, users: int, deflate: bool) -> dict[str, Any]:
    say(f"registering {users} users for {sockets} idle sockets (deflate={deflate})")
    accounts = await register_users(server.base_url, users, f"id{secrets.token_hex(2)}_")
    compression = "deflate" if deflate else None

    async def open_one(i: int) -> ClientConnection:
        token = accounts[i % users].token
        return await common.open_socket(
            server.ws_url, token, compression, open_timeout=60, max_queue=16
        )

    warm = await open_one(0)  # the first socket loads the code paths; not counted
    await asyncio.sleep(1.0)
    await warm.close()
    await asyncio.sleep(1.0)
    gc.collect()
    before = server.rss_kib()
    say(f"server VmRSS before: {before} KiB; opening {sockets} sockets, 200 at a time")
    opened: list[ClientConnection] = []
    failed = 0
    t0 = time.perf_counter()
    batch = 200
    for start in range(0, sockets, batch):
        results = await asyncio.gather(
            *(open_one(i) for i in range(start, min(start + batch, sockets))),
            return_exceptions=True,
        )
        for res in results:
            if isinstance(res, ClientConnection):
                opened.append(res)
            else:
                failed += 1
        if (start // batch) % 10 == 9:
            say(f"  {len(opened)} open, {failed} failed, server VmRSS {server.rss_kib()} KiB")
    open_s = time.perf_counter() - t0
    await asyncio.sleep(3.0)
    after = server.rss_kib()
    # A socket the server accepted and then closed (a limit, say) is not an idle socket.
    closed = sum(ws.close_code is not None for ws in opened)
    # Are they really alive? An application ping on a sample must get its pong.
    sample = opened[:: max(1, len(opened) // 200)]

    async def alive(ws: ClientConnection) -> bool:
        try:
            await ws.send('{"type":"ping"}')
            async with asyncio.timeout(10):
                while True:
                    if '"pong"' in str(await ws.recv()):
                        return True
        except (TimeoutError, ConnectionClosed):
            return False

    answered = sum(await asyncio.gather(*(alive(ws) for ws in sample)))
    client_rss = _vmrss_kib(os.getpid())
    per_socket = (after - before) / max(1, len(opened))
    say(
        f"  {len(opened)} open in {open_s:.1f} s ({failed} failed); server VmRSS {before} -> "
        f"{after} KiB = {per_socket:.1f} KiB/socket; {closed} closed by the server; "
        f"{answered}/{len(sample)} pinged answered"
    )
    result = {
        "deflate_offered": deflate,
        "sockets_requested": sockets,
        "sockets_open": len(opened),
        "failed": failed,
        "users": users,
        "open_seconds": round(open_s, 1),
        "server_rss_before_kib": before,
        "server_rss_after_kib": after,
        "rss_per_socket_kib": round(per_socket, 1),
        "closed_by_server": closed,
        "sample_pinged": len(sample),
        "sample_answered": answered,
        "client_rss_kib": client_rss,
        "met": per_socket < IDLE_TARGET_KIB and failed == closed == 0 and answered == len(sample),
    }
    for start in range(0, len(opened), 500):
        await asyncio.gather(*(ws.close() for ws in opened[start : start + 500]))
    return result


# --------------------------------------------------------------------------- scenarios


def _ladder(quick: bool) -> list[float]:
    if quick:
        return [50, 100, 300, 1000]
    return [25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000]


def scenario_target(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cfg = _config(args)
    with servers_sqlite(tmp) as servers:
        return dict(common.run_async(fanout(servers, cfg, TARGET_RATE, [])))


def scenario_max(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cfg = _config(args)
    with servers_sqlite(tmp) as servers:
        return dict(common.run_async(fanout(servers, cfg, None, _ladder(args.quick))))


def scenario_redis(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cfg = _config(args)
    with servers_redis(tmp) as servers:
        return dict(common.run_async(fanout(servers, cfg, TARGET_RATE, _ladder(args.quick))))


def scenario_idle(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    sockets = 2_000 if args.quick else args.idle_sockets
    runs = []
    for deflate in (True, False):
        sub = tmp / ("deflate" if deflate else "plain")
        sub.mkdir()
        with servers_sqlite(sub) as servers:
            runs.append(common.run_async(idle(servers[0], sockets, args.idle_users, deflate)))
    return {"runs": runs}


SCENARIOS = {
    "target": scenario_target,
    "max": scenario_max,
    "idle": scenario_idle,
    "redis": scenario_redis,
}


def _config(args: argparse.Namespace) -> FanoutConfig:
    return FanoutConfig(
        senders_per_group=args.senders_per_group,
        duration=5.0 if args.quick else args.duration,
        grace=args.grace,
        deflate=not args.no_deflate,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="short steps, fewer sockets")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--grace", type=float, default=2.0, help="seconds for stragglers")
    parser.add_argument("--senders-per-group", type=int, default=2)
    parser.add_argument("--idle-sockets", type=int, default=10_000)
    parser.add_argument("--idle-users", type=int, default=50)
    parser.add_argument("--no-deflate", action="store_true", help="do not offer permessage-deflate")
    args = parser.parse_args(argv)
    _raise_nofile()
    common.RESULTS_DIR.mkdir(exist_ok=True)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
    }
    for name in names:
        say(f"=== scenario {name}{' (quick)' if args.quick else ''} ===")
        with tempfile.TemporaryDirectory(prefix="parley-fanout-") as tmp:
            result = SCENARIOS[name](args, Path(tmp))
        result = {"scenario": name, "quick": args.quick, "machine": machine} | result
        path = common.RESULTS_DIR / f"fanout-{name}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        say(f"wrote {path.relative_to(common.BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
