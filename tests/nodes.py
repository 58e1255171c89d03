"""Real server processes (and a private Redis) for multi-node tests."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import free_socket


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

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "parley.cli", "serve", "--port", str(self.port)],
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
        "PARLEY_WEB_DIR": str(data_dir / "no-web"),
        "PARLEY_LOG_LEVEL": "warning",
    }
