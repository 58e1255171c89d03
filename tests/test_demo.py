"""`parley demo`: a throwaway server with the demo data, for trying the desktop app."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.nodes import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_demo_serves_the_fixture_users_and_cleans_up(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    # Settings from the environment must not leak in: the demo is always its own SQLite.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        PARLEY_DATABASE_URL="mysql+asyncmy://nobody@127.0.0.1:1/none",
        PARLEY_REDIS_URL="redis://127.0.0.1:1/0",
        PARLEY_DATA_DIR=str(tmp_path / "must-stay-empty"),
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "parley.cli", "demo", "--port", str(port)],
            cwd=tmp_path,  # not the repo: the fixtures are found from the package's tree
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        printed = log.read_text()
        # It says where, and how to sign in.
        assert f"http://127.0.0.1:{port}" in printed
        for name in ("alice", "bob", "carol", "dave", "parley-demo"):
            assert name in printed
        r = httpx.post(base + "/auth/login", json={"username": "alice", "password": "parley-demo"})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        chats = httpx.get(base + "/chats", headers=headers).json()
        assert {c["title"] for c in chats} == {None, "Family dinner"}
        data_dir = Path(re.search(r"data \(SQLite, thrown away\): (\S+)", printed)[1])  # type: ignore[index]
        assert (data_dir / "parley.db").is_file()
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl+C
        code = process.wait(30)
    assert code in (0, -signal.SIGINT), log.read_text()
    assert "Traceback" not in log.read_text()
    assert not data_dir.exists(), "the demo database outlived the demo"
    assert not (tmp_path / "must-stay-empty").exists()


def test_demo_without_fixtures_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "parley.cli", "demo", "--file", str(tmp_path / "none.sql")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "no demo data" in result.stderr and "Traceback" not in result.stderr
