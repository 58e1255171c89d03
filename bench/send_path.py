"""Send-path benchmark: Parley on SQLite and on MariaDB against a no-database ceiling.

Not a test. It starts each server itself, as a separate process on a free loopback port
(Parley with `parley serve` on SQLite in a temporary directory, Parley on a fresh MariaDB
database that it drops afterwards, and `bench/ceiling.py`: the same routes and frames
with everything in memory), lifts Parley's abuse limits, and drives it from this process
(asyncio on uvloop, httpx and websockets):

    .venv/bin/python bench/send_path.py [--targets sqlite,mariadb,ceiling] [--reps 3] [--quick]

Per target and repetition, on a fresh server: 20 users in one group, each holding one
`/ws` socket, then

* burst-rest    -- 5 members send 200 messages each over REST as fast as they can, at
                   most 4 requests in flight per sender (every message has a client_id);
* burst-socket  -- the same with `message.send` frames, at most 4 un-acked per sender;
* history       -- one member walks the newest 21 pages of 50 (`?limit=50&before=`),
                   timed end to end (5 walks after one untimed), and the newest page alone;
* rate-10/100-rest, rate-10/100-socket -- the 5 senders at a fixed 10 and 100 msg/s
                   offered for 10 s, open loop: latency counts from the *scheduled* time.

For every send phase: sends/s accepted (201 or `message.ack`), deliveries/s (`message.new`
frames on all 20 sockets, the sender's own included), delivery latency p50/p99 (send
start -> arrival on each socket), ack latency, server CPU per accepted send (utime+stime of
the server process from /proc, all its threads; for MariaDB also `mariadbd`'s, a shared
server), lost (an accepted message a socket never got, after a grace period), duplicated
(one id twice on one socket) and errors. The targets run interleaved (sqlite, mariadb,
ceiling, sqlite, ...); the table shows medians over the repetitions (counts are summed)
and Parley / ceiling ratios. `--quick` (40 messages per sender, 3 s rates, one repetition
unless `--reps` says otherwise) is a smoke run. Results: bench/results/send-path.json
(`send-path-quick.json` with `--quick`).

MariaDB: root on 127.0.0.1:3306 unless PARLEY_BENCH_MYSQL_URL says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import itertools
import json
import os
import platform
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import common
import httpx
from common import ACK_PREFIX, CONTENT_PAD, ERROR_PREFIX, NEW_PREFIX, Problem, say
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

TARGETS = ("sqlite", "mariadb", "ceiling")

USERS = 20  # one group, one socket each
SENDERS = 5
IN_FLIGHT = 4  # per sender, in the bursts
PAGES, PAGE = 21, 50  # the history walk

READ_PREFIX = '{"type":"chat.read"'
PONG_PREFIX = '{"type":"pong"'
CLK = time.perf_counter


@dataclass(frozen=True)
class Plan:
    burst_each: int = 200  # messages per sender per burst
    rates: tuple[float, ...] = (10.0, 100.0)
    duration: float = 10.0  # seconds per rate phase
    grace: float = 3.0  # seconds without progress before a phase is called over
    burst_cap: float = 90.0  # a burst still sending after this long is cut off
    walks: int = 5
    newest_samples: int = 30

    @classmethod
    def quick(cls) -> Plan:
        return cls(burst_each=40, duration=3.0, walks=2, newest_samples=10)


# --------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class CpuSample:
    ticks: float  # utime + stime of the whole process, every thread (10 ms steps)
    threads: dict[int, int]  # thread id -> nanoseconds on a CPU (/proc/.../schedstat)


def _cpu_sample(pid: int) -> CpuSample:
    ticks = common.cpu_seconds(pid)
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            threads[int(task.name)] = int((task / "schedstat").read_text().split()[0])
    return CpuSample(ticks, threads)


def cpu_spent(before: CpuSample, after: CpuSample) -> tuple[float, bool]:
    """CPU seconds between two samples, and whether to the nanosecond.

    The per-thread counters are exact but forget a thread that ends (aiosqlite's threads
    end with their pooled connections); then utime + stime, in clock ticks, is used.
    """
    if before.threads.keys() <= after.threads.keys():
        ns = sum(t - before.threads.get(tid, 0) for tid, t in after.threads.items())
        return ns / 1e9, True
    return after.ticks - before.ticks, False


def _mariadbd_pid() -> int | None:
    """The local MariaDB server, to read its CPU (it may also serve other clients)."""
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and (proc / "comm").read_text().strip() in (
                "mariadbd",
                "mysqld",
            ):
                return int(proc.name)
    return None


@dataclass
class Server(common.ServerProcess):
    """A server of one target (its `name`)."""

    db_pid: int | None = None  # mariadbd, for the MariaDB target

    def cpu(self) -> tuple[CpuSample, CpuSample | None]:
        """This server's CPU counters, and the MariaDB server's (for the MariaDB target)."""
        return _cpu_sample(self.proc.pid), _cpu_sample(self.db_pid) if self.db_pid else None


def _spent(
    before: tuple[CpuSample, CpuSample | None], after: tuple[CpuSample, CpuSample | None]
) -> tuple[float, float | None, bool]:
    """Server and database CPU seconds between two `Server.cpu()` samples; exact or not."""
    server, exact = cpu_spent(before[0], after[0])
    db = cpu_spent(before[1], after[1])[0] if before[1] and after[1] else None
    return server, db, exact


def _start(target: str, command: list[str], env: dict[str, str], port: int, tmp: Path) -> Server:
    log_path = tmp / f"server-{target}.log"
    proc = common.start_server(command, env, port, log_path, f"{target} server")
    say(f"{target} server up on port {port} (pid {proc.pid})")
    return Server(target, proc, port, log_path)


@asynccontextmanager
async def running(target: str, tmp: Path) -> AsyncIterator[Server]:
    """A fresh server of one target, stopped (and its database dropped) afterwards."""
    port = common.free_port()
    parley = common.parley_serve(port)
    db = None
    if target == "sqlite":
        env = common.unlimited_env(f"sqlite+aiosqlite:///{tmp}/bench.db", tmp)
        server = _start(target, parley, env, port, tmp)
    elif target == "mariadb":
        db = f"parley_sendpath_{os.getpid()}_{secrets.token_hex(3)}"
        await common.mysql(f"CREATE DATABASE {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        say(f"created MariaDB database {db}")
        try:
            env = common.unlimited_env(f"{common.MYSQL_SERVER_URL}/{db}", tmp)
            server = _start(target, parley, env, port, tmp)
        except BaseException:
            await common.mysql(f"DROP DATABASE IF EXISTS {db}")
            raise
        server.db_pid = _mariadbd_pid()
    else:
        command = [sys.executable, str(common.BENCH_DIR / "ceiling.py"), "--port", str(port)]
        server = _start(target, command, common.unlimited_env("", tmp), port, tmp)
    try:
        yield server
    finally:
        common.stop(server.proc)
        if db is not None:
            await common.mysql(f"DROP DATABASE IF EXISTS {db}")
            say(f"dropped MariaDB database {db}")


# --------------------------------------------------------------------------- clients


@dataclass
class Member:
    user_id: int
    token: str
    http: httpx.AsyncClient
    ws: ClientConnection | None = None
    frames: list[tuple[float, str]] = field(default_factory=list)  # (arrival, text)
    outbox: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    window: asyncio.Semaphore | None = None  # un-acked frames allowed, in a socket burst

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Phase:
    """What one phase has seen so far; the socket readers fill it in."""

    name: str
    tag: str
    sent_at: dict[str, float] = field(default_factory=dict)  # client_id -> send start
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id
    ack_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    news: int = 0  # message.new frames so far, on all sockets
    notes: list[str] = field(default_factory=list)  # the phase itself went wrong
    last_ack: float = 0.0
    last_progress: float = 0.0


class Group:
    """The 20 members, their sockets, and the phase being measured."""

    def __init__(self, server: Server, members: list[Member], chat_id: int) -> None:
        self.server = server
        self.members = members
        self.senders = members[:SENDERS]
        self.walker = members[-1]
        self.chat_id = chat_id
        self.phase = Phase("setup", "setup")
        self.pongs = 0
        self.closed: list[str] = []
        self.all_ids: set[int] = set()  # every accepted message of the chat
        self.tasks: list[asyncio.Task[None]] = []

    async def read(self, member: Member) -> None:
        assert member.ws is not None
        try:
            async for text in member.ws:
                now = CLK()
                if not isinstance(text, str):
                    continue
                phase = self.phase
                phase.last_progress = now
                if text.startswith(NEW_PREFIX):
                    phase.news += 1
                    member.frames.append((now, text))
                elif text.startswith((ACK_PREFIX, ERROR_PREFIX)):
                    self._reply(member, phase, now, json.loads(text))
                elif text.startswith(PONG_PREFIX):
                    self.pongs += 1
                else:
                    member.frames.append((now, text))
        except ConnectionClosed as exc:
            self.closed.append(f"user {member.user_id}: {exc}")

    def _reply(self, member: Member, phase: Phase, now: float, frame: dict[str, Any]) -> None:
        cid = frame.get("client_id")
        if cid not in phase.sent_at:
            return  # a reply to an earlier phase
        if frame["type"] == "message.ack":
            phase.acked[cid] = frame["message"]["id"]
            phase.ack_latencies.append(now - phase.sent_at[cid])
            phase.last_ack = now
        else:
            phase.errors.append(f"socket error frame: {json.dumps(frame)}")
        if member.window is not None:
            member.window.release()

    async def write(self, member: Member) -> None:
        assert member.ws is not None
        while True:
            await member.ws.send(await member.outbox.get())

    def frame(self, cid: str) -> str:
        body = {"type": "message.send", "chat_id": self.chat_id, "content": f"{cid} {CONTENT_PAD}"}
        return json.dumps(body | {"client_id": cid}, separators=(",", ":"))

    async def post(self, member: Member, cid: str) -> None:
        """One REST send; phase.sent_at[cid] is already set."""
        phase = self.phase
        body = {"content": f"{cid} {CONTENT_PAD}", "client_id": cid}
        try:
            resp = await member.http.post(
                f"/chats/{self.chat_id}/messages", json=body, headers=member.auth
            )
        except httpx.HTTPError as exc:
            phase.errors.append(f"REST send: {type(exc).__name__}: {exc}")
            return
        now = CLK()
        phase.last_progress = now
        if resp.status_code != 201:
            phase.errors.append(f"REST send: {resp.status_code} {resp.text[:300]}")
            return
        phase.acked[cid] = resp.json()["id"]
        phase.ack_latencies.append(now - phase.sent_at[cid])
        phase.last_ack = now


async def _register(server: Server, prefix: str) -> list[Member]:
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)

    async def one(i: int) -> Member:
        http = httpx.AsyncClient(base_url=server.base_url, timeout=60, limits=limits)
        user_id, token = await common.sign_up(http, f"{prefix}{i}")
        return Member(user_id, token, http)

    return [await one(i) for i in range(USERS)]


@asynccontextmanager
async def group(server: Server) -> AsyncIterator[Group]:
    """20 members in one group, each holding one live socket that answered a ping."""
    members = await _register(server, f"sp{secrets.token_hex(2)}_")
    owner = members[0]
    body = {"is_group": True, "title": "send path", "member_ids": [m.user_id for m in members[1:]]}
    resp = await owner.http.post("/chats", json=body, headers=owner.auth)
    if resp.status_code != 201 or len(resp.json()["members"]) != USERS:
        raise Problem(f"POST /chats: {resp.status_code} {resp.text[:300]}")
    g = Group(server, members, int(resp.json()["id"]))
    try:
        for m in members:
            m.ws = await common.open_socket(server.ws_url, m.token)
            g.tasks += [asyncio.create_task(g.read(m)), asyncio.create_task(g.write(m))]
        for m in members:
            m.outbox.put_nowait('{"type":"ping"}')
        for _ in range(100):
            if g.pongs >= USERS:
                break
            await asyncio.sleep(0.1)
        if g.pongs < USERS:
            raise Problem(f"only {g.pongs} of {USERS} sockets answered a ping")
        await asyncio.sleep(0.5)  # presence announcements settle
        yield g
    finally:
        for task in g.tasks:
            task.cancel()
        await asyncio.gather(*g.tasks, return_exceptions=True)
        await asyncio.gather(*(m.ws.close() for m in members if m.ws is not None))
        await asyncio.gather(*(m.http.aclose() for m in members))


# --------------------------------------------------------------------------- phases


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


async def measure(
    g: Group,
    name: str,
    offered: int,
    drive: Callable[[Phase], Any],
    plan: Plan,
    duration: float = 0,
) -> dict[str, Any]:
    """Run one send phase (``drive`` offers ``offered`` messages) and sum up what it saw."""
    await asyncio.sleep(0.3)  # the previous phase's stragglers
    for m in g.members:
        m.frames = []
        m.window = None
    phase = g.phase = Phase(name, f"{name}-{secrets.token_hex(2)}")
    gc.collect()
    gc.disable()
    cpu0 = g.server.cpu()
    client0 = time.process_time()
    t0 = phase.last_progress = CLK()
    cap = duration + 30 if duration else plan.burst_cap
    try:
        try:
            async with asyncio.timeout(cap):  # a server that stops answering cannot hang us
                await drive(phase)
        except TimeoutError:
            phase.notes.append(f"cut off after {cap:g} s with sends still unanswered")
        # Over when every send is answered and every accepted one reached every socket,
        # or when nothing has moved for `grace` seconds (something is missing).
        deadline = CLK() + 30
        while CLK() - phase.last_progress < plan.grace and CLK() < deadline:
            answered = len(phase.acked) + len(phase.errors)
            if answered >= offered and phase.news >= len(phase.acked) * USERS:
                break
            await asyncio.sleep(0.02)
    finally:
        gc.enable()
    wall = CLK() - t0
    cpu, db, exact = _spent(cpu0, g.server.cpu())
    client = (time.process_time() - client0) / wall
    result = _summarise(g, phase, offered, t0, duration, cpu, client)
    result["cpu_exact"] = exact
    if db is not None:
        n = result["accepted"]
        result["db_cpu_ms_per_send"] = round(db * 1000 / n, 3) if n else float("nan")
    return result


def _summarise(
    g: Group,
    phase: Phase,
    offered: int,
    t0: float,
    duration: float,
    cpu: float,
    client: float,
) -> dict[str, Any]:
    accepted = set(phase.acked.values())
    g.all_ids |= accepted
    latencies: list[float] = []
    lost = duplicates = stray = chat_read = other = 0
    last_delivery = t0
    for m in g.members:
        seen: set[int] = set()
        for now, text in m.frames:
            if not text.startswith(NEW_PREFIX):
                chat_read += text.startswith(READ_PREFIX)
                other += not text.startswith(READ_PREFIX)
                continue
            message = json.loads(text)["message"]
            sent = phase.sent_at.get(message["client_id"])
            if sent is None:
                stray += 1
            elif message["id"] in seen:
                duplicates += 1
            else:
                seen.add(message["id"])
                latencies.append(now - sent)
                last_delivery = max(last_delivery, now)
        lost += len(accepted - seen)
    latencies.sort()
    acks = sorted(phase.ack_latencies)
    n = len(accepted)
    span_ack = max(phase.last_ack - t0, duration, 1e-9)
    span_del = max(last_delivery - t0, duration, 1e-9)
    result = {
        "offered": offered,
        "accepted": n,
        "sends_per_s": round(n / span_ack, 1),
        "deliveries": len(latencies),
        "expected_deliveries": n * USERS,
        "deliveries_per_s": round(len(latencies) / span_del, 1),
        "p50_ms": _ms(common.pct(latencies, 0.50)),
        "p99_ms": _ms(common.pct(latencies, 0.99)),
        "max_ms": _ms(latencies[-1]) if latencies else float("nan"),
        "ack_p50_ms": _ms(common.pct(acks, 0.50)),
        "ack_p99_ms": _ms(common.pct(acks, 0.99)),
        "cpu_ms_per_send": round(cpu * 1000 / n, 3) if n else float("nan"),
        "server_cpu_s": round(cpu, 3),
        "lost": lost,
        "duplicates": duplicates,
        "errors": len(phase.errors),
        "unanswered": offered - n - len(phase.errors),
        "stray": stray,
        "chat_read_frames": chat_read,
        "other_frames": other,
        "client_cpu": round(client, 2),
        "loadavg_1m": os.getloadavg()[0],
        "error_kinds": dict(Counter(phase.errors).most_common(5)),
        "notes": phase.notes,
    }
    return result


def burst_rest(g: Group, each: int) -> Callable[[Phase], Any]:
    async def drive(phase: Phase) -> None:
        async def worker(m: Member, todo: itertools.count[int], s: int) -> None:
            for i in todo:
                if i >= each:
                    return
                cid = f"{phase.tag}-r{s}-{i}"
                phase.sent_at[cid] = CLK()
                await g.post(m, cid)

        jobs = []
        for s, m in enumerate(g.senders):
            todo = itertools.count()  # shared by the sender's workers
            jobs += [worker(m, todo, s) for _ in range(IN_FLIGHT)]
        await asyncio.gather(*jobs)

    return drive


def burst_socket(g: Group, each: int) -> Callable[[Phase], Any]:
    async def drive(phase: Phase) -> None:
        async def sender(m: Member, s: int) -> None:
            m.window = window = asyncio.Semaphore(IN_FLIGHT)
            for i in range(each):
                await window.acquire()
                cid = f"{phase.tag}-s{s}-{i}"
                phase.sent_at[cid] = CLK()
                m.outbox.put_nowait(g.frame(cid))

        await asyncio.gather(*(sender(m, s) for s, m in enumerate(g.senders)))

    return drive


def at_rate(g: Group, rate: float, duration: float, over_socket: bool) -> Callable[[Phase], Any]:
    async def drive(phase: Phase) -> None:
        posts: list[asyncio.Task[None]] = []
        t0 = CLK() + 0.05
        for i in range(int(rate * duration)):
            due = t0 + i / rate
            delay = due - CLK()
            if delay > 0:
                await asyncio.sleep(delay)
            m = g.senders[i % SENDERS]
            cid = f"{phase.tag}-{i}"
            phase.sent_at[cid] = due  # open loop: latency from the scheduled time
            if over_socket:
                m.outbox.put_nowait(g.frame(cid))
            else:
                posts.append(asyncio.create_task(g.post(m, cid)))
        await asyncio.gather(*posts)

    return drive


async def history(g: Group, plan: Plan, verify: bool) -> dict[str, Any]:
    """Walk the newest 21 pages of 50 back from the newest, and time the newest page alone.

    With ``verify``, the pages must hold exactly the newest accepted messages; without it
    (some sends went unanswered, so the chat may hold messages we never heard of), only
    their order is checked.
    """
    m, url = g.walker, f"/chats/{g.chat_id}/messages"
    newest = sorted(g.all_ids, reverse=True)
    want = newest[: PAGES * PAGE]
    problems: list[str] = []

    async def page(before: int | None) -> tuple[float, list[int]]:
        params = {"limit": PAGE} | ({"before": before} if before is not None else {})
        t = CLK()
        resp = await m.http.get(url, params=params, headers=m.auth)
        took = CLK() - t
        if resp.status_code != 200:
            raise Problem(f"GET {url} {params}: {resp.status_code} {resp.text[:300]}")
        ids = [row["id"] for row in resp.json()]
        if ids != sorted(ids):
            problems.append(f"page before={before} not in ascending order")
        return took, ids

    async def walk() -> tuple[float, list[float]]:
        t, got, times, before = CLK(), [], [], None
        for _ in range(PAGES):
            took, ids = await page(before)
            times.append(took)
            got += ids[::-1]
            if len(ids) < PAGE:
                break
            before = ids[0]
        total = CLK() - t
        if verify and got != want:
            problems.append(f"walk returned {len(got)} ids, not the newest {len(want)} in order")
        return total, times

    await walk()  # untimed: warms the code paths
    cpu0 = g.server.cpu()
    walks, page_times = [], []
    for _ in range(plan.walks):
        total, times = await walk()
        walks.append(total)
        page_times += times
    newest_times = []
    for _ in range(plan.newest_samples):
        took, ids = await page(None)
        newest_times.append(took)
        if verify and ids != want[:PAGE][::-1]:
            problems.append("the newest page is not the newest 50 messages")
    cpu, db, exact = _spent(cpu0, g.server.cpu())
    requests = len(page_times) + len(newest_times)
    page_times.sort()
    newest_times.sort()
    result = {
        "messages_in_chat": len(newest),
        "pages_per_walk": min(PAGES, -(-len(newest) // PAGE)),
        "walks": plan.walks,
        "walk_ms": _ms(statistics.median(walks)),
        "page_p50_ms": _ms(common.pct(page_times, 0.50)),
        "page_p99_ms": _ms(common.pct(page_times, 0.99)),
        "newest_p50_ms": _ms(common.pct(newest_times, 0.50)),
        "newest_p99_ms": _ms(common.pct(newest_times, 0.99)),
        "cpu_ms_per_page": round(cpu * 1000 / requests, 3),
        "cpu_exact": exact,
        "problems": sorted(set(problems)),
        "loadavg_1m": os.getloadavg()[0],
    }
    if db is not None:
        result["db_cpu_ms_per_page"] = round(db * 1000 / requests, 3)
    return result


SEND_PHASES = ["burst-rest", "burst-socket"]


def _rate_phases(plan: Plan) -> list[str]:
    return [f"rate-{r:g}-{way}" for way in ("rest", "socket") for r in plan.rates]


async def one_run(server: Server, plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with group(server) as g:
        each = plan.burst_each
        warm = await measure(g, "warm", 2 * SENDERS * 4, _warm(g), plan)  # not reported
        for name, drive in (
            ("burst-rest", burst_rest(g, each)),
            ("burst-socket", burst_socket(g, each)),
        ):
            out[name] = await measure(g, name, SENDERS * each, drive, plan)
            _show(server.name, name, out[name])
        sent = [warm, *(out[p] for p in SEND_PHASES)]
        complete = all(r["unanswered"] == r["errors"] == 0 for r in sent)
        out["history"] = await history(g, plan, verify=complete)
        _show_history(server.name, out["history"])
        for way in ("rest", "socket"):
            for rate in plan.rates:
                name = f"rate-{rate:g}-{way}"
                drive = at_rate(g, rate, plan.duration, way == "socket")
                out[name] = await measure(
                    g, name, int(rate * plan.duration), drive, plan, plan.duration
                )
                _show(server.name, name, out[name])
        out["sockets_closed"] = list(g.closed)
    return out


def _warm(g: Group) -> Callable[[Phase], Any]:
    rest, sock = burst_rest(g, 4), burst_socket(g, 4)

    async def drive(phase: Phase) -> None:
        await rest(phase)
        await sock(phase)

    return drive


def _show(target: str, name: str, r: dict[str, Any]) -> None:
    db = f" + db {r['db_cpu_ms_per_send']}" if "db_cpu_ms_per_send" in r else ""
    say(
        f"  {target:8} {name:16} {r['accepted']}/{r['offered']} accepted, "
        f"{r['sends_per_s']} sends/s, "
        f"{r['deliveries_per_s']} deliveries/s, p50/p99 {r['p50_ms']}/{r['p99_ms']} ms, "
        f"cpu {r['cpu_ms_per_send']}{db} ms/send, lost {r['lost']}, dup {r['duplicates']}, "
        f"errors {r['errors']}, client cpu {r['client_cpu']}, load {r['loadavg_1m']}"
    )
    for sample, count in r["error_kinds"].items():
        say(f"    ! {count} x {sample}")
    for note in r["notes"]:
        say(f"    ! {note}")


def _show_history(target: str, h: dict[str, Any]) -> None:
    say(
        f"  {target:8} history          walk of {h['pages_per_walk']} pages {h['walk_ms']} ms, "
        f"page p50 {h['page_p50_ms']} ms, newest page p50/p99 {h['newest_p50_ms']}/"
        f"{h['newest_p99_ms']} ms, cpu {h['cpu_ms_per_page']} ms/page"
    )
    for problem in h["problems"]:
        say(f"    ! {problem}")


# --------------------------------------------------------------------------- summary

SEND_METRICS = [
    ("sends_per_s", "sends/s"),
    ("deliveries_per_s", "deliv/s"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("ack_p50_ms", "ack p50"),
    ("cpu_ms_per_send", "CPU ms/send"),
    ("db_cpu_ms_per_send", "+db ms"),
    ("client_cpu", "client CPU"),
]
NO_RATIO = {"client_cpu", "pages_per_walk"}  # not the server's cost: no ratio
COUNTS = ["lost", "duplicates", "errors", "unanswered"]
HISTORY_METRICS = [
    ("pages_per_walk", "pages"),
    ("walk_ms", "walk ms"),
    ("page_p50_ms", "page p50"),
    ("page_p99_ms", "page p99"),
    ("newest_p50_ms", "newest p50"),
    ("newest_p99_ms", "newest p99"),
    ("cpu_ms_per_page", "CPU ms/page"),
    ("db_cpu_ms_per_page", "+db ms"),
]


def summarise(runs: list[dict[str, Any]], phases: list[str]) -> dict[str, Any]:
    """Medians over repetitions (counts summed), and Parley / ceiling ratios."""
    medians: dict[str, dict[str, dict[str, Any]]] = {}
    for target in dict.fromkeys(r["target"] for r in runs):
        mine = [r["phases"] for r in runs if r["target"] == target and "phases" in r]
        medians[target] = {}
        for phase in phases:
            rows = [p[phase] for p in mine if phase in p]
            if not rows:
                continue
            keys = [k for k, _ in (HISTORY_METRICS if phase == "history" else SEND_METRICS)]
            med = {k: round(statistics.median(r[k] for r in rows), 3) for k in keys if k in rows[0]}
            if phase != "history":
                med |= {k: sum(r[k] for r in rows) for k in COUNTS}
            exact = all(r.get("cpu_exact", True) for r in rows)
            medians[target][phase] = med | {"cpu_exact": exact, "reps": len(rows)}
    ratios: dict[str, dict[str, dict[str, float]]] = {}
    base = medians.get("ceiling", {})
    for target in ("sqlite", "mariadb"):
        for phase, med in medians.get(target, {}).items():
            if phase not in base:
                continue
            ratios.setdefault(target, {})[phase] = {
                k: round(v / base[phase][k], 3)
                for k, v in med.items()
                if k in base[phase]
                and k not in (*COUNTS, *NO_RATIO, "cpu_exact", "reps")
                and base[phase][k]
            }
    return {"medians": medians, "ratios": ratios}


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return (
            f"{value:,.0f}"
            if abs(value) >= 1000
            else f"{value:.3g}"
            if abs(value) < 10
            else f"{value:.1f}"
        )
    return str(value)


def table(summary: dict[str, Any], phases: list[str]) -> str:
    medians, ratios = summary["medians"], summary["ratios"]
    lines = []
    for title, metrics, names, counts in (
        ("send phases", SEND_METRICS, [p for p in phases if p != "history"], COUNTS),
        (
            "history: a walk back from the newest page, pages of 50",
            HISTORY_METRICS,
            ["history"],
            [],
        ),
    ):
        header = ["phase", "target", *(label for _, label in metrics), *counts]
        cpu_column = next(i for i, (k, _) in enumerate(metrics) if k.startswith("cpu_"))
        rows = [header]
        for phase in names:
            for target in medians:
                med = medians[target].get(phase)
                if med is None:
                    continue
                cells = [_fmt(med.get(k)) for k, _ in metrics]
                if not med["cpu_exact"]:
                    cells[cpu_column] += "*"
                rows.append([phase, target, *cells, *(_fmt(med.get(k)) for k in counts)])
            for target in ratios:
                ratio = ratios[target].get(phase)
                if ratio:
                    cells = [f"x{ratio[k]:.2f}" if k in ratio else "-" for k, _ in metrics]
                    rows.append([phase, f"{target}/ceiling", *cells, *("" for _ in counts)])
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        lines.append(f"{title} (medians over repetitions; counts summed)")
        for n, row in enumerate(rows):
            lines.append(
                "  ".join(
                    str(c).rjust(w) if i > 1 else str(c).ljust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")
    lines.append(
        "* server CPU in clock ticks (a server thread ended during the phase); "
        "otherwise per-thread nanoseconds"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("uvicorn", "starlette", "fastapi", "websockets", "httpx", "uvloop", "httptools"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def parley_version() -> dict[str, Any]:
    """The Parley a run served: src/ may change between runs, so each records its own."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(common.BENCH_DIR.parent), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    diff = git("diff", "HEAD", "--", "src")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_uncommitted": [
            line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()
        ],
        "src_diff_sha1": hashlib.sha1(diff.encode()).hexdigest()[:12] if diff else None,
    }


async def bench(targets: list[str], reps: int, plan: Plan) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for rep in range(1, reps + 1):
        for target in targets:
            say(f"=== repetition {rep}/{reps}: {target} ===")
            run: dict[str, Any] = {
                "rep": rep,
                "target": target,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "parley": parley_version(),
            }
            with tempfile.TemporaryDirectory(prefix="parley-sendpath-") as tmp:
                async with running(target, Path(tmp)) as server:
                    try:
                        run["phases"] = await one_run(server, plan)
                    except Problem as exc:
                        run["problem"] = str(exc)
                        say(f"  ! {target}: {exc}")
                    log = server.log_path.read_text(errors="replace").splitlines()
                run["server_log_errors"] = sum(" ERROR " in line for line in log)
                run["server_log_tail"] = log[-20:]
            runs.append(run)
    return {"runs": runs}


def _problems(runs: list[dict[str, Any]]) -> list[str]:
    """Everything a run saw that the contract does not allow, one line each."""
    out = []
    for r in runs:
        where = f"rep {r['rep']} {r['target']}"
        if "problem" in r:
            out.append(f"{where}: {r['problem']}")
        for phase, p in r.get("phases", {}).items():
            if phase == "sockets_closed":
                out += [f"{where}: socket closed: {closed}" for closed in p]
                continue
            bad = {k: p[k] for k in (*COUNTS, "stray") if p.get(k)}
            if bad:
                out.append(f"{where} {phase}: {bad}")
            out += [
                f"{where} {phase}:   {n} x {kind}" for kind, n in p.get("error_kinds", {}).items()
            ]
            out += [
                f"{where} {phase}: {note}" for note in (*p.get("notes", ()), *p.get("problems", ()))
            ]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help="comma-separated: sqlite,mariadb,ceiling"
    )
    parser.add_argument(
        "--reps", type=int, default=None, help="repetitions (default 3; 1 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer messages: a smoke run")
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if unknown := set(targets) - set(TARGETS):
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    reps = args.reps or (1 if args.quick else 3)
    plan = Plan.quick() if args.quick else Plan()
    phases = [*SEND_PHASES, "history", *_rate_phases(plan)]
    machine: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
        "platform": platform.platform(),
        **_versions(),
    }
    if "mariadb" in targets:
        machine["mariadb"] = common.run_async(common.mysql("SELECT VERSION()"))
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result = common.run_async(bench(targets, reps, plan))
    machine["loadavg_after"] = os.getloadavg()
    summary = summarise(result["runs"], phases)
    config = {
        "users": USERS,
        "senders": SENDERS,
        "in_flight": IN_FLIGHT,
        "pages": PAGES,
        "page": PAGE,
    }
    problems = _problems(result["runs"])
    versions = {
        json.dumps(r["parley"], sort_keys=True) for r in result["runs"] if r["target"] != "ceiling"
    }
    if len(versions) > 1:
        problems.append(
            "src/ changed during the run: the repetitions did not all serve the same code"
        )
    out = {
        "benchmark": "send-path",
        "quick": args.quick,
        "started": started,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "targets": targets,
        "reps": reps,
        "plan": plan.__dict__,
        "config": config,
        "machine": machine,
        "problems": problems,
        **summary,
        **result,
    }
    common.RESULTS_DIR.mkdir(exist_ok=True)
    path = common.RESULTS_DIR / f"send-path{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print()
    print(table(summary, phases))
    for version in sorted(versions):
        print(f"parley served: {version}")
    print("problems:" if problems else "problems: none")
    for line in problems:
        print(f"  {line}")
    say(f"wrote {path.relative_to(common.BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
