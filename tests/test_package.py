"""The wheel as a user installs it: one build, one fresh virtual environment, no Node.

`python -m build --wheel` packs the built web client into `parley/web` (setup.py); the
installed `parley serve`, run where there is no desktop/ directory and no node on PATH,
serves it at `/`, and `parley --version` says which version is installed.
Slow (the dependencies are installed into the new venv), and accepted as such.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = ROOT / "desktop"
WEB = DESKTOP / "dist" / "web"


def _web_client() -> Path:
    """desktop/dist/web, built here if `make test`'s desktop tests did not build it."""
    if (WEB / "index.html").is_file():
        return WEB
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("the web client is not built (desktop/dist/web) and npm is not installed")
    env = {**os.environ, "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"}
    if not (DESKTOP / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=DESKTOP, env=env, check=True)
    subprocess.run([npm, "run", "build:web"], cwd=DESKTOP, env=env, check=True)
    return WEB


def _run(*args: str | Path, timeout: float, **kw: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False, **kw
    )  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_wheel_serves_the_web_client_without_node(tmp_path: Path) -> None:
    index = (_web_client() / "index.html").read_text()
    title = re.search(r"<title>(.*?)</title>", index)
    assert title is not None, "the web client's index.html has a title"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT, timeout=900)
    (wheel,) = dist.glob("parley-*.whl")
    # Nothing from this checkout: no PYTHONPATH, no desktop/ below the working directory,
    # no node or npm on PATH, no PARLEY_* settings of the test run.
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "PYTHON"))}
    env["PATH"] = str(venv / "bin")
    env["PARLEY_DATA_DIR"] = str(tmp_path / "data")
    work = tmp_path / "elsewhere"
    work.mkdir()
    _run(sys.executable, "-m", "venv", venv, env=env, cwd=work, timeout=300)
    pip = (venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    _run(*pip, env=env, cwd=work, timeout=1200)
    assert shutil.which("node", path=env["PATH"]) is None

    shown = _run(venv / "bin" / "parley", "--version", env=env, cwd=work, timeout=60)
    assert shown.stdout.strip() == f"parley {version}"

    port = _free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "parley"), "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the installed server did not start"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        page = httpx.get(f"{base}/", timeout=10)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f"<title>{title.group(1)}</title>" in page.text
        assert page.text == index
    finally:
        server.terminate()
        out = server.communicate(timeout=30)[0]
    assert "serving the API and the web client" in out, out
