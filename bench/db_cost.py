"""What Parley's operations cost the database: statements, mariadbd CPU, fsyncs, rows.

Not a test. It starts a private MariaDB (Debian's server binary in a temporary data
directory on a free loopback port, so other work on the machine does not blur its
counters), migrates it, runs Parley in this process (one node, no Redis), and drives
operations over HTTP through httpx's ASGI transport, counting per operation:

* statements Parley sends and their summed wall time (SQLAlchemy's cursor events),
* mariadbd's CPU time (/proc/<pid>/stat) and InnoDB counters (SHOW GLOBAL STATUS):
  fsyncs, redo log bytes, rows read / inserted / updated.

Then a concurrent phase: SENDERS clients post messages to groups for a fixed count, to
see the rate one Parley process sustains and how much of a core MariaDB used for it.

    .venv/bin/python bench/db_cost.py [--ops 300] [--burst 2000] [--senders 16]

Writes bench/results/db-cost.json; docs/SCALING.md quotes it.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import common
import httpx
from sqlalchemy import event, text

from parley.app import create_app
from parley.config import Settings
from parley.db import migrate
from parley.db.database import create_engine

RESULTS = Path(__file__).resolve().parent / "results" / "db-cost.json"
# MariaDB 10.11 has no Innodb_rows_*: the handler counters count row reads and writes.
READS = ("Handler_read_first", "Handler_read_key", "Handler_read_last", "Handler_read_next",
         "Handler_read_prev", "Handler_read_rnd", "Handler_read_rnd_next")  # fmt: skip
WRITES = ("Handler_write", "Handler_update", "Handler_delete")
STATUS = ("Innodb_data_fsyncs", "Innodb_os_log_written", "Com_commit", "Questions", *READS, *WRITES)
GROUP_SIZE = 20
CHATS_PER_USER = 20


def say(message: str) -> None:
    print(f"db_cost: {message}", flush=True)


@contextmanager
def private_mariadb() -> Iterator[tuple[str, int]]:
    """A MariaDB of our own: (SQLAlchemy server URL, mariadbd pid)."""
    data = Path(tempfile.mkdtemp(prefix="parley-dbcost-"))
    port = common.free_port()
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--skip-test-db",
         "--auth-root-authentication-method=normal", *user],
        check=True, capture_output=True,
    )  # fmt: skip
    sock = data / "mysqld.sock"
    server = subprocess.Popen(
        ["mariadbd", "--no-defaults", f"--datadir={data}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--socket={sock}", f"--pid-file={data}/mysqld.pid",
         "--skip-log-bin", "--innodb-buffer-pool-size=128M",
         "--innodb-flush-log-at-trx-commit=1", "--character-set-server=utf8mb4",
         "--collation-server=utf8mb4_bin", *user],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            ok = subprocess.run(
                ["mariadb", f"--socket={sock}", "-uroot", "-e",
                 "CREATE USER IF NOT EXISTS bench@'127.0.0.1';"
                 "GRANT ALL ON *.* TO bench@'127.0.0.1';"
                 "CREATE DATABASE IF NOT EXISTS parley CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"],
                capture_output=True, check=False,
            )  # fmt: skip
            if ok.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("private mariadbd did not start")
        yield f"mysql+asyncmy://bench@127.0.0.1:{port}", server.pid
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(data, ignore_errors=True)


@dataclass
class Cost:
    operation: str
    n: int
    statements: float
    db_wall_ms: float  # summed statement round trips, as Parley waits for them
    request_ms: float  # whole request, in-process (no network)
    app_cpu_ms: float  # this process: Parley and the (small) in-process client
    mariadb_cpu_ms: float
    fsyncs: float
    redo_bytes: float
    rows_read: float
    rows_written: float
    commits: float


class Meter:
    def __init__(self, url: str, mariadb_pid: int, engine: Any) -> None:
        self.url = url
        self.pid = mariadb_pid
        self.statements = 0
        self.db_wall = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)
        self._started: float = 0.0

    def _before(self, *_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self.statements += 1
        self.db_wall += time.perf_counter() - self._started

    async def status(self) -> dict[str, float]:
        engine = create_engine(self.url + "/parley")
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text("SHOW GLOBAL STATUS"))
                found = {name: float(value) for name, value in rows if name in STATUS}
        finally:
            await engine.dispose()
        return found

    async def measure(
        self, operation: str, n: int, run: Callable[[int], Awaitable[None]], concurrency: int = 1
    ) -> Cost:
        before = await self.status()
        statements, db_wall = self.statements, self.db_wall
        cpu, db_cpu, started = (
            time.process_time(),
            common.cpu_seconds(self.pid),
            time.perf_counter(),
        )
        queue = iter(range(n))

        async def worker() -> None:
            for i in queue:
                await run(i)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        app_cpu, db_cpu = time.process_time() - cpu, common.cpu_seconds(self.pid) - db_cpu
        after = await self.status()
        delta = {k: after[k] - before[k] for k in STATUS}
        # The status query itself is one question and reads nothing from InnoDB.
        return Cost(
            operation=operation,
            n=n,
            statements=round((self.statements - statements) / n, 2),
            db_wall_ms=round((self.db_wall - db_wall) * 1000 / n, 3),
            request_ms=round(wall * 1000 / n * concurrency, 3),
            app_cpu_ms=round(app_cpu * 1000 / n, 3),
            mariadb_cpu_ms=round(db_cpu * 1000 / n, 3),
            fsyncs=round(delta["Innodb_data_fsyncs"] / n, 2),
            redo_bytes=round(delta["Innodb_os_log_written"] / n),
            rows_read=round(sum(delta[k] for k in READS) / n, 1),
            rows_written=round(sum(delta[k] for k in WRITES) / n, 1),
            commits=round(delta["Com_commit"] / n, 2),
        )


async def register(client: httpx.AsyncClient, name: str) -> tuple[int, dict[str, str]]:
    r = await client.post(
        "/auth/register",
        json={"username": name, "email": f"{name}@example.com", "password": common.PASSWORD},
    )
    r.raise_for_status()
    r = await client.post("/auth/login", json={"username": name, "password": common.PASSWORD})
    r.raise_for_status()
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return (await client.get("/auth/me", headers=headers)).json()["id"], headers


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    with private_mariadb() as (server_url, pid):
        url = server_url + "/parley"
        await asyncio.to_thread(migrate.upgrade, url)
        data = Path(tempfile.mkdtemp(prefix="parley-dbcost-data-"))
        settings = Settings(
            database_url=url,
            data_dir=data,
            secret_key="db-cost-bench-" + "k" * 32,
            password_time_cost=1,
            password_memory_kib=8192,
            login_attempts=10**6,
            messages_per_window=10**6,
            messages_per_address=10**6,
            registrations_per_address=10**6,
            web_dir=data / "no-web",
        )
        app = create_app(settings)
        meter = Meter(server_url, pid, app.state.parley.engine)
        transport = httpx.ASGITransport(app=app)
        results: list[Cost] = []
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            users = [await register(client, f"user{i}") for i in range(GROUP_SIZE)]
            ids = [u[0] for u in users]
            me = users[0][1]
            groups = []
            for g in range(CHATS_PER_USER):
                r = await client.post(
                    "/chats",
                    headers=me,
                    json={"is_group": True, "title": f"group {g}", "member_ids": ids[1:]},
                )
                groups.append(r.json()["id"])
            r = await client.post(
                "/chats", headers=me, json={"is_group": False, "member_ids": [ids[1]]}
            )
            direct = r.json()["id"]
            for g in groups:  # some history everywhere, so reads are not of empty chats
                for k in range(60):
                    await client.post(
                        f"/chats/{g}/messages",
                        headers=users[k % 5][1],
                        json={"content": f"warm {k}"},
                    )

            async def send_group(i: int) -> None:
                sender = users[i % GROUP_SIZE][1]
                r = await client.post(
                    f"/chats/{groups[i % len(groups)]}/messages",
                    headers=sender,
                    json={"content": f"message {i} " + "x" * 60},
                )
                assert r.status_code == 201, r.text

            async def send_direct(i: int) -> None:
                r = await client.post(
                    f"/chats/{direct}/messages",
                    headers=users[i % 2][1],
                    json={"content": f"direct {i}"},
                )
                assert r.status_code == 201, r.text

            last: dict[str, int] = {}

            async def history(i: int) -> None:
                r = await client.get(
                    f"/chats/{groups[i % len(groups)]}/messages?limit=50", headers=me
                )
                assert r.status_code == 200
                last["id"] = r.json()[-1]["id"]

            async def read(i: int) -> None:
                chat = groups[i % len(groups)]
                page = (
                    await client.get(f"/chats/{chat}/messages?limit=1", headers=users[1][1])
                ).json()
                r = await client.post(
                    f"/chats/{chat}/read", headers=users[1][1], json={"message_id": page[-1]["id"]}
                )
                assert r.status_code == 204, r.text

            async def chat_list(_: int) -> None:
                r = await client.get("/chats", headers=me)
                assert r.status_code == 200 and len(r.json()) == CHATS_PER_USER + 1

            async def me_(_: int) -> None:
                assert (await client.get("/auth/me", headers=me)).status_code == 200

            n = args.ops
            for name, run in (
                ("send to a group of 20 (REST)", send_group),
                ("send to a direct chat (REST)", send_direct),
                ("history page (50)", history),
                ("mark read (page of 1 + POST read)", read),
                (f"chat list ({CHATS_PER_USER + 1} chats)", chat_list),
                ("authenticated no-op (GET /auth/me)", me_),
            ):
                await run(0)  # warm
                cost = await meter.measure(name, n, run)
                say(f"{name}: {asdict(cost)}")
                results.append(cost)
            burst = await meter.measure(
                f"burst: {args.senders} concurrent senders, groups of 20",
                args.burst,
                send_group,
                concurrency=args.senders,
            )
            say(f"burst: {asdict(burst)}")
        shutil.rmtree(data, ignore_errors=True)
    wall_s = burst.request_ms / 1000 / args.senders * args.burst
    return {
        "benchmark": "db-cost",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_1m_at_end": os.getloadavg()[0],
        },
        "mariadb": "private mariadbd 10.11: innodb_flush_log_at_trx_commit=1, "
        "128 MiB buffer pool, no binlog",
        "operations": [asdict(c) for c in results],
        "burst": {
            **asdict(burst),
            "senders": args.senders,
            "messages_per_s": round(args.burst / wall_s, 1),
            "app_cores": round(burst.app_cpu_ms * args.burst / 1000 / wall_s, 2),
            "mariadb_cores": round(burst.mariadb_cpu_ms * args.burst / 1000 / wall_s, 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=300, help="requests per measured operation")
    parser.add_argument("--burst", type=int, default=2000, help="messages in the concurrent phase")
    parser.add_argument("--senders", type=int, default=16, help="concurrent senders")
    args = parser.parse_args()
    if shutil.which("mariadb-install-db") is None:
        sys.exit("db_cost: needs Debian's mariadb-server (mariadb-install-db, mariadbd)")
    result = asyncio.run(bench(args))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    say(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
