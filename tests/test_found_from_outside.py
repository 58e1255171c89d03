"""Faults found by probing Parley from outside; each test failed on the code before its fix."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from parley.app import StartupError, create_app
from tests.nodes import RedisServer
from tests.support import PASSWORD, Api, serve, test_settings
from tests.test_attachments import png_bytes, upload


async def test_concurrent_identical_member_adds_give_one_201_and_409s(api: Api) -> None:
    """SQLite used to answer several of these with 500 (the unique key, unmapped)."""
    alice, bob = await api.user(), await api.user()
    for attempt in range(10):  # a race: several rounds, so that losing it is all but certain
        group = await alice.group(f"Eight at once {attempt}")
        path = f"/chats/{group['id']}/members"
        answers = await asyncio.gather(
            *(alice.post(path, json={"user_id": bob.id}) for _ in range(8))
        )
        codes = sorted(r.status_code for r in answers)
        assert codes == [201] + [409] * 7, [r.text for r in answers]
        conflict = next(r for r in answers if r.status_code == 409).json()
        assert conflict == {"detail": "user is already a member", "code": "conflict"}
        members = (await alice.get(f"/chats/{group['id']}")).json()["members"]
        assert sorted(m["user"]["id"] for m in members) == sorted([alice.id, bob.id])


async def test_a_signature_that_is_not_ascii_is_a_bad_link(api: Api) -> None:
    """`hmac.compare_digest` refused non-ASCII text: a forged link was a 500."""
    alice = await api.user()
    up = (await upload(alice, "p.png", png_bytes())).json()
    for variant in ("", "/thumbnail"):
        r = await api.client.get(
            f"/attachments/{up['id']}{variant}", params={"exp": 4102444800, "sig": "é" * 32}
        )
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found"


def test_a_node_with_redis_and_a_generated_key_refuses_to_start(tmp_path: Path) -> None:
    """Two such nodes each made a key of their own and refused each other's tokens (401)."""
    settings = test_settings("", tmp_path, secret_key="", redis_url="redis://127.0.0.1:6379/0")
    with pytest.raises(StartupError, match="PARLEY_SECRET_KEY"):
        create_app(settings)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env = {**clean, "PARLEY_DATA_DIR": str(tmp_path), "PARLEY_REDIS_URL": settings.redis_url}
    result = subprocess.run(
        [sys.executable, "-m", "parley.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in out, out
    assert "PARLEY_SECRET_KEY" in out and "every node" in out, out
    assert not (tmp_path / "secret_key").exists()


async def test_two_nodes_behind_one_redis_share_one_login_budget(
    database_url: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    """Each node used to grant its own budget: N nodes allowed N times the guesses."""
    settings = test_settings(database_url, tmp_path, redis_url=redis_server.url, login_attempts=4)
    async with (
        serve(settings) as one,
        serve(settings) as two,
        httpx.AsyncClient(base_url=one.base_url) as a,
        httpx.AsyncClient(base_url=two.base_url) as b,
    ):
        user = await Api(a).user()
        wrong = {"username": user.username, "password": "not " + PASSWORD}
        for client in (a, b, a, b):
            assert (await client.post("/auth/login", json=wrong)).status_code == 401
        for client in (a, b):
            r = await client.post("/auth/login", json=wrong)
            assert r.status_code == 429, r.text
            assert r.json()["code"] == "rate_limited"
