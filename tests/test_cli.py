"""`parley migrate` and `parley seed` as a user runs them, and the demo data they load."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from parley.db.database import create_engine
from parley.messages.search_index import INDEX
from tests.support import BACKENDS_FOR_TESTS, mariadb_database, serve, test_settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "fixtures.sql"


def _parley(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parley.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrate_says_what_it_does(tmp_path: Path) -> None:
    result = _parley("migrate", env={"PARLEY_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "migrating database" in result.stdout
    assert "up to date" in result.stdout
    assert (tmp_path / "parley.db").is_file()


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = _parley(
        "migrate", env={"PARLEY_DATABASE_URL": "nonsense://", "PARLEY_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "database" in (result.stdout + result.stderr).lower()


@pytest.mark.parametrize("backend", BACKENDS_FOR_TESTS)
async def test_seed_loads_demo_data_that_signs_in(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        await _seed_and_check(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", tmp_path)
    else:
        async with mariadb_database() as url:
            await _seed_and_check(url, tmp_path)


async def _seed_and_check(url: str, tmp_path: Path) -> None:
    result = _parley("seed", "--file", str(FIXTURES), env={"PARLEY_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "loading demo data" in result.stdout
    assert "indexed 50 messages for search" in result.stdout
    # A lost index comes back with `parley reindex`, which says how much it did.
    await _rows(url, f"DELETE FROM {INDEX}")
    result = _parley("reindex", env={"PARLEY_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "rebuilding the message search index" in result.stdout
    assert "indexed 50 messages for search" in result.stdout
    assert "50/50" in result.stderr  # the progress bar
    await _check(url, tmp_path)


async def _rows(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _check(url: str, tmp_path: Path) -> None:
    async with (
        serve(test_settings(url, tmp_path)) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        r = await client.post("/auth/login", json={"username": "alice", "password": "parley-demo"})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        chats = (await client.get("/chats", headers=headers)).json()
        assert {c["title"] for c in chats} == {None, "Family dinner"}
        group = next(c for c in chats if c["is_group"])
        roles = {m["user"]["username"]: m["role"] for m in group["members"]}
        assert roles == {"alice": "owner", "bob": "admin", "carol": "member", "dave": "member"}
        total = 0
        apples: list[int] = []
        for chat in chats:
            page = (
                await client.get(f"/chats/{chat['id']}/messages?limit=200", headers=headers)
            ).json()
            total += len(page)
            apples += [m["id"] for m in page if "apple" in m["content"].lower()]
            assert page[-1]["id"] == chat["last_message"]["id"]
        assert total == 50
        found = await client.get("/search/messages?q=apple", headers=headers)
        assert apples
        assert [r["message"]["id"] for r in found.json()["results"]] == sorted(apples)[::-1]
        # New rows continue after the fixture's explicit ids.
        r = await client.post(
            f"/chats/{group['id']}/messages", json={"content": "hi"}, headers=headers
        )
        assert r.status_code == 201 and r.json()["id"] == 51


@pytest.mark.parametrize("backend", BACKENDS_FOR_TESTS)
async def test_admin_create_and_promote(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        await _admins(f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}", tmp_path)
    else:
        async with mariadb_database() as url:
            await _admins(url, tmp_path)


def _parley_stdin(*args: str, env: dict[str, str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parley.cli", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _admins(url: str, tmp_path: Path) -> None:
    env = {"PARLEY_DATABASE_URL": url, "PARLEY_PASSWORD_TIME_COST": "1"}
    env["PARLEY_PASSWORD_MEMORY_KIB"] = "8192"
    result = _parley_stdin(
        "admin", "create", "root_ann", "--password-stdin", env=env, stdin="a long password\n"
    )
    assert result.returncode == 0, result.stderr
    assert "creating administrator root_ann" in result.stdout
    assert "created root_ann" in result.stdout
    # The same name again, a bad name, a short password: refused in words.
    for name, password in (("root_ann", "a long password"), ("no spaces", "a long password")):
        again = _parley_stdin(
            "admin", "create", name, "--password-stdin", env=env, stdin=password + "\n"
        )
        assert again.returncode != 0 and "Traceback" not in again.stderr
        assert "cannot create" in again.stderr
    short = _parley_stdin("admin", "create", "shorty", "--password-stdin", env=env, stdin="x\n")
    assert short.returncode != 0 and "password" in short.stderr
    result = _parley_stdin(
        "admin",
        "create",
        "mailer",
        "--email",
        "m@corp.local",
        "--password-stdin",
        env=env,
        stdin="another long one\n",
    )
    assert result.returncode == 0, result.stderr

    settings = test_settings(url, tmp_path, password_time_cost=1)
    async with serve(settings) as running, httpx.AsyncClient(base_url=running.base_url) as client:
        r = await client.post("/auth/register", json={"username": "plain", "password": "p" * 10})
        assert r.status_code == 422  # e-mail required; `create` needs none
        body = {"username": "plain", "email": "p@example.com", "password": "p" * 10}
        assert (await client.post("/auth/register", json=body)).status_code == 201
        r = await client.post(
            "/auth/login", json={"username": "root_ann", "password": "a long password"}
        )
        assert r.status_code == 200
        me = (await client.get("/auth/me", headers=_bearer(r.json()))).json()
        assert me["is_admin"] is True and me["email"] is None

        missing = _parley("admin", "promote", "nobody", env=env)
        assert missing.returncode != 0 and "no account named 'nobody'" in missing.stderr
        promoted = _parley("admin", "promote", "PLAIN", env=env)
        assert promoted.returncode == 0, promoted.stderr
        assert "plain is now an administrator" in promoted.stdout.lower()
        r = await client.post("/auth/login", json={"username": "plain", "password": "p" * 10})
        assert (await client.get("/auth/me", headers=_bearer(r.json()))).json()["is_admin"]


def _bearer(token: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}
