"""What the load generators in bench/ share: paths, logging, servers, /proc, users, sockets.

Not a script of its own. The benchmarks are run as `.venv/bin/python bench/<script>.py`,
which puts bench/ first on `sys.path`, so they import this module as `common`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PARLEY_EXE = Path(sys.executable).parent / "parley"
MYSQL_SERVER_URL = os.environ.get("PARLEY_BENCH_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306")
PASSWORD = "bench-password-123"
CONTENT_PAD = "x" * 48  # a short chat line

# The start of the frames a client counts; cheaper to test than to parse every frame.
NEW_PREFIX = '{"type":"message.new"'
ACK_PREFIX = '{"type":"message.ack"'
ERROR_PREFIX = '{"type":"error"'


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def run_async(coro: Any) -> Any:
    """Run a coroutine on uvloop (the client side should not be the bottleneck), else asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile of sorted `values`: the one at index q * len (NaN for none)."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """CPU time (utime + stime, every thread, in clock ticks) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_env(**settings: str) -> dict[str, str]:
    """This process's environment without its PARLEY_* variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(settings)
    return env


def unlimited_env(
    database_url: str, data_dir: Path, redis_url: str = "", **settings: str
) -> dict[str, str]:
    """Parley's settings for load: a fresh secret, cheap argon2, the abuse limits lifted.

    One environment serves every node of a cluster (they must share the secret key).
    """
    return server_env(
        PARLEY_DATABASE_URL=database_url,
        PARLEY_DATA_DIR=str(data_dir),
        PARLEY_SECRET_KEY=secrets.token_urlsafe(32),
        PARLEY_REDIS_URL=redis_url,
        PARLEY_LOGIN_ATTEMPTS="1000000",
        PARLEY_MESSAGES_PER_WINDOW="1000000",
        PARLEY_MESSAGES_PER_ADDRESS="1000000",
        PARLEY_REGISTRATIONS_PER_ADDRESS="1000000",
        PARLEY_PASSWORD_TIME_COST="1",
        PARLEY_PASSWORD_MEMORY_KIB="8192",
        PARLEY_ACCESS_TOKEN_MINUTES="240",
        PARLEY_LOG_LEVEL="warning",
        **settings,
    )


def parley_serve(port: int) -> list[str]:
    """The command line of `parley serve` on a loopback port."""
    return [str(PARLEY_EXE), "serve", "--host", "127.0.0.1", "--port", str(port)]


def start_server(
    command: list[str],
    env: dict[str, str],
    port: int,
    log_path: Path,
    what: str,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    """Start a server process, its output in `log_path`, and wait until `/healthz` answers.

    `what` names it in the errors: it exited early, or was not healthy within 60 s (then
    it is stopped). `popen` goes to `subprocess.Popen` (cwd, preexec_fn, ...).
    """
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, **popen)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{what} did not become healthy in 60 s:\n{log_path.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a server process, killing it if it has not exited 15 s later."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class ServerProcess:
    """A server this benchmark started on a loopback port."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


async def mysql(statement: str) -> Any:
    """Run one statement on the MariaDB server (no database selected); its scalar, if any."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(MYSQL_SERVER_URL)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- clients


class Problem(Exception):
    """A server answered something the contract does not allow."""


async def sign_up(http: httpx.AsyncClient, name: str) -> tuple[int, str]:
    """Register `name` (password PASSWORD) and sign in: its user id and access token."""
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    reg = await http.post("/auth/register", json=body)
    if reg.status_code != 201:
        raise Problem(f"POST /auth/register: {reg.status_code} {reg.text[:300]}")
    login = await http.post("/auth/login", json={"username": name, "password": PASSWORD})
    if login.status_code != 200:
        raise Problem(f"POST /auth/login: {login.status_code} {login.text[:300]}")
    return reg.json()["id"], login.json()["access_token"]


async def open_socket(
    ws_url: str,
    token: str,
    compression: str | None = None,
    open_timeout: float = 30,
    max_queue: int | None = None,
) -> ClientConnection:
    """One client socket, without protocol pings (they would be traffic of their own)."""
    return await connect(
        f"{ws_url}?token={token}",
        open_timeout=open_timeout,
        ping_interval=None,
        compression=compression,
        max_queue=max_queue,
    )
