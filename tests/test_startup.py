"""Start-up problems end in one clear line and a non-zero exit, never a traceback or a hang."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from parley.config import Settings
from tests.nodes import free_port


def _parley(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    return subprocess.run(
        [sys.executable, "-m", "parley.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _fails_clearly(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Traceback" not in out, out
    for text in expected:
        assert text in out, out
    # Never started serving.
    assert "Uvicorn running" not in out and "serving the API" not in out
    return out


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung database)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_unreachable_database(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    result = _parley(
        "serve",
        "--port",
        str(free_port()),
        env={
            "PARLEY_DATABASE_URL": f"mysql+asyncmy://parley:s3cret-pw@127.0.0.1:{port}/parley",
            "PARLEY_STARTUP_TIMEOUT": "2",
            "PARLEY_DATA_DIR": str(tmp_path),
        },
    )
    out = _fails_clearly(result, "cannot reach the database", f"127.0.0.1:{port}", "within 2s")
    assert "s3cret-pw" not in out  # the password is not echoed
    assert time.monotonic() - started < 30


def test_database_that_never_answers_does_not_hang(silent_server: int, tmp_path: Path) -> None:
    result = _parley(
        "migrate",
        env={
            "PARLEY_DATABASE_URL": f"mysql+asyncmy://root@127.0.0.1:{silent_server}/parley",
            "PARLEY_STARTUP_TIMEOUT": "2",
        },
        timeout=30,
    )
    _fails_clearly(result, "cannot reach the database", "did not answer")


def test_wrong_database_name_fails_at_once_without_waiting(tmp_path: Path) -> None:
    started = time.monotonic()
    result = _parley(
        "migrate",
        env={
            "PARLEY_DATABASE_URL": "mysql+asyncmy://root@127.0.0.1:3306/parley_no_such_db_here",
            "PARLEY_STARTUP_TIMEOUT": "60",
        },
    )
    _fails_clearly(result, "cannot use the database", "Unknown database")
    assert time.monotonic() - started < 30  # refused, not retried for a minute


def test_unreachable_redis(tmp_path: Path) -> None:
    port = free_port()
    result = _parley(
        "serve",
        "--port",
        str(free_port()),
        env={
            "PARLEY_DATA_DIR": str(tmp_path),
            "PARLEY_REDIS_URL": f"redis://:redis-pw@127.0.0.1:{port}/0",
            # Several nodes must share a key (a node without one stops before Redis).
            "PARLEY_SECRET_KEY": "startup-test-secret-" + "z" * 32,
            "PARLEY_STARTUP_TIMEOUT": "2",
        },
    )
    out = _fails_clearly(result, "cannot reach Redis", f"127.0.0.1:{port}")
    assert "redis-pw" not in out


@pytest.mark.parametrize("secret", [None, "", "too-short-for-production"])
def test_production_needs_a_real_secret(tmp_path: Path, secret: str | None) -> None:
    env = {"PARLEY_ENV": "production", "PARLEY_DATA_DIR": str(tmp_path)}
    if secret is not None:
        env["PARLEY_SECRET_KEY"] = secret
    result = _parley("serve", "--port", str(free_port()), env=env)
    _fails_clearly(result, "invalid settings", "PARLEY_SECRET_KEY", "at least 32 characters")
    assert not (tmp_path / "secret_key").exists()  # no key was generated instead


def test_production_with_a_secret_and_development_without_one_are_fine() -> None:
    assert Settings(env="production", secret_key="k" * 32).env == "production"
    assert Settings(env="development", secret_key="").secret_key == ""
    with pytest.raises(ValidationError):
        Settings(env="production", secret_key="k" * 31)


def test_bad_setting_values_name_the_variable(tmp_path: Path) -> None:
    result = _parley(
        "migrate",
        env={
            "PARLEY_DATA_DIR": str(tmp_path),
            "PARLEY_LOG_FORMAT": "xml",
            "PARLEY_STARTUP_TIMEOUT": "-1",
        },
    )
    _fails_clearly(result, "PARLEY_LOG_FORMAT", "PARLEY_STARTUP_TIMEOUT")
