"""Real server processes (and a private Redis) for multi-node tests."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import free_socket, mariadb_database, migrate_to_head


def free_port() -> int:
    sock = free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def _wait_until(check: Callable[[], bool], what: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not come up within {within}s")


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            result = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"],
                capture_output=True,
                text=True,
                check=False,
            )
            return result.stdout.strip() == "PONG"

        _wait_until(answers, "redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@dataclass
class Node:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    args: tuple[str, ...] = ()  # more `parley serve` options

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "parley.cli", "serve", "--port", str(self.port), *self.args],
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"node exited: {self.log.read_text()[-2000:]}")
            try:
                return httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_until(healthy, f"node on port {self.port}", within=60)

    def stop(self, sig: int = 15) -> None:
        if self.process is not None:
            self.process.send_signal(sig)
            self.process.wait(20)
            self.process = None


def node_env(database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_REDIS_URL": redis_url,
        "PARLEY_DATA_DIR": str(data_dir),
        "PARLEY_SECRET_KEY": "multi-node-test-secret-" + "y" * 32,
        "PARLEY_PASSWORD_TIME_COST": "1",
        "PARLEY_PASSWORD_MEMORY_KIB": "8192",
        "PARLEY_LOGIN_ATTEMPTS": "100000",
        "PARLEY_MESSAGES_PER_WINDOW": "100000",
        "PARLEY_REGISTRATIONS_PER_ADDRESS": "100000",
        "PARLEY_MESSAGES_PER_ADDRESS": "100000",
        "PARLEY_UPLOADS_PER_ADDRESS": "100000",
        "PARLEY_WEB_DIR": str(data_dir / "no-web"),
        "PARLEY_LOG_LEVEL": "warning",
    }


@dataclass
class MariaDBServer:
    """A private mariadbd on its own port and data directory, which a test may kill.

    The machine's shared MariaDB serves the other tests and is never touched.
    """

    port: int
    datadir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mysql+asyncmy://root@127.0.0.1:{self.port}"

    def install(self) -> None:
        subprocess.run(
            [
                shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *self._small,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def _small(self) -> list[str]:
        # A test database needs little memory and a small redo log.
        return ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"]

    def start(self) -> None:
        binary = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        self.process = subprocess.Popen(
            [
                binary,
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--socket={self.datadir}/mariadb.sock",
                f"--pid-file={self.datadir}/mariadb.pid",
                f"--log-error={self.datadir}/error.log",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--user=root",  # the tests run as root here; mariadbd refuses that unasked
                "--skip-grant-tables",
                "--skip-log-bin",
                "--performance-schema=off",
                *self._small,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.datadir / "error.log").read_text(errors="replace")
                raise AssertionError(f"mariadbd exited: {log[-2000:]}")
            result = subprocess.run(
                ["mariadb", "-uroot", "-h127.0.0.1", f"-P{self.port}", "-e", "SELECT 1"],
                capture_output=True,
                check=False,
            )
            return result.returncode == 0

        _wait_until(answers, "mariadbd", within=60)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(20)
            self.process = None


@asynccontextmanager
async def two_nodes(
    redis_url: str, tmp_path: Path, env: dict[str, str] | None = None
) -> AsyncIterator[tuple[Node, Node]]:
    """Two `parley serve` processes on one fresh MariaDB database and one Redis."""
    async with mariadb_database() as url:
        await migrate_to_head(url)
        shared = {**node_env(url, redis_url, tmp_path), **(env or {})}
        pair = (
            Node(free_port(), shared, tmp_path / "a.log"),
            Node(free_port(), shared, tmp_path / "b.log"),
        )
        await asyncio.gather(*(asyncio.to_thread(n.start) for n in pair))
        try:
            yield pair
        finally:
            for node in pair:
                node.stop()
