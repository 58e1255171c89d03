"""`parley backup` and `parley restore` as an operator runs them, on SQLite and MariaDB.

Backup → wipe → restore must give back every row of every table and every file's bytes;
a damaged archive and a restore over a live database are refused before anything changes.
On SQLite the backup runs while the server keeps writing, and the copy is consistent.
"""

import asyncio
import io
import json
import os
import sys
import tarfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import inspect, text

from parley.app.backup import drop_tables
from parley.db.database import create_engine
from tests.support import (
    BACKENDS_FOR_TESTS,
    Api,
    User,
    mariadb_database,
    migrate_to_head,
    serve,
    test_settings,
)

THUMBS_UP = "%F0%9F%91%8D"


async def _parley(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """The CLI in a process of its own; this event loop keeps serving meanwhile."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "parley.cli",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode is not None
    return process.returncode, out.decode()


@asynccontextmanager
async def _database(backend: str, data: Path) -> AsyncIterator[str]:
    if backend == "sqlite":
        _make_dir(data)
        url = f"sqlite+aiosqlite:///{data / 'parley.db'}"
        await migrate_to_head(url)
        yield url
    else:
        async with mariadb_database() as url:
            await migrate_to_head(url)
            yield url


async def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the search index and its SQLite parts too), in key order."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                found = await conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'table'")
                )
                names = [n for (n,) in found if not n.startswith("sqlite_")]
            else:
                names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            quote = conn.dialect.identifier_preparer.quote
            rows = {}
            for name in sorted(names):
                result = await conn.execute(text(f"SELECT * FROM {quote(name)}"))
                rows[name] = sorted((tuple(r) for r in result), key=repr)
            return rows
    finally:
        await engine.dispose()


def _files(data: Path) -> dict[str, bytes]:
    """The attachments and keys under the data dir (not the SQLite database itself)."""
    return {
        p.relative_to(data).as_posix(): p.read_bytes()
        for p in data.rglob("*")
        if p.is_file() and not p.name.startswith("parley.db")
    }


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


def _remove_files(data: Path, *, database: bool) -> None:
    """Everything under the data dir but the SQLite database (unless ``database``)."""
    for path in sorted(data.rglob("*"), reverse=True):
        if database or not path.name.startswith("parley.db"):
            path.rmdir() if path.is_dir() else path.unlink()


async def _wipe(url: str, data: Path) -> None:
    if url.startswith("sqlite"):
        _remove_files(data, database=True)
    else:
        await drop_tables(url)  # what `parley restore` does before loading a dump
        _remove_files(data, database=False)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "PNG")
    return out.getvalue()


async def _seed(api: Api, data: Path) -> tuple[User, dict[str, Any]]:
    """Users, a direct chat and a group, messages, replies, reactions, an attachment, keys."""
    alice, bob, carol = await api.user(), await api.user(), await api.user()
    direct = await alice.direct_chat(bob)
    group = await alice.group("Backups", bob, carol)
    first = await alice.say(direct["id"], "hello ünïcödé 🎉")
    await bob.say(direct["id"], "a reply", reply_to_id=first["id"])
    r = await bob.put(f"/chats/{direct['id']}/messages/{first['id']}/reactions/{THUMBS_UP}")
    assert r.status_code == 204, r.text
    r = await alice.post("/attachments", files={"file": ("pic.png", _png(), "image/png")})
    assert r.status_code == 201, r.text
    await alice.say(group["id"], "", attachment_url=r.json()["url"])
    await carol.say(group["id"], f"@{alice.username} look")
    (data / "secret_key").write_text("backup-test-secret-" + "k" * 40)
    (data / "vapid_private_key").write_text("vapid-test-key")
    return alice, group


@pytest.mark.parametrize("backend", BACKENDS_FOR_TESTS)
async def test_backup_wipe_restore_gives_identical_rows_and_files(
    backend: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    archive = tmp_path / "backups" / "parley.tar.gz"
    async with _database(backend, data) as url:
        env = {"PARLEY_DATABASE_URL": url, "PARLEY_DATA_DIR": str(data)}
        settings = test_settings(url, data)
        async with serve(settings) as server, httpx.AsyncClient(base_url=server.base_url) as c:
            await _seed(Api(c), data)
            code, said = await _parley("backup", str(archive), env=env)  # the server runs
        assert code == 0, said
        rows, files = await _tables(url), _files(data)
        assert rows["messages"] and rows["message_reactions"] and rows["attachments"]
        attachments = len([f for f in files if f.startswith("attachments/")])
        assert attachments >= 1  # the picture (and its thumbnail)
        assert f"wrote {archive}" in said
        assert f"{attachments} attachment files, 2 key files" in said
        assert archive.stat().st_mode & 0o077 == 0  # it holds the keys: the owner's only

        await _wipe(url, data)
        assert _files(data) == {}
        code, said = await _parley("restore", str(archive), env=env)
        assert code == 0, said
        total = sum(len(r) for r in rows.values())
        assert (
            f"restore checked: {len(rows)} tables, {total} rows, {len(files)} files identical"
            in said
        )
        assert await _tables(url) == rows
        assert _files(data) == files

        # A database with users is not replaced without --force.
        code, said = await _parley("restore", str(archive), env=env)
        assert code != 0 and "already has users" in said and "--force" in said

        # One byte changed: refused before anything is touched.
        damaged = tmp_path / "damaged.tar.gz"
        raw = bytearray(archive.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        damaged.write_bytes(bytes(raw))
        _remove_files(data / "attachments", database=False)
        before_files = _files(data)
        code, said = await _parley("restore", "--force", str(damaged), env=env)
        assert code != 0 and "nothing was changed" in said, said
        assert await _tables(url) == rows and _files(data) == before_files

        # A well-formed archive whose file differs from its manifest: refused alike.
        forged = tmp_path / "forged.tar.gz"
        _repack(archive, forged, lambda name, body: body + b"!" if "attachments/" in name else body)
        code, said = await _parley("restore", "--force", str(forged), env=env)
        assert code != 0 and "does not match its checksum" in said, said
        assert await _tables(url) == rows and _files(data) == before_files

        # A backup from a newer Parley (a schema revision this code does not have).
        newer = tmp_path / "newer.tar.gz"
        _repack(archive, newer, _future_revision)
        code, said = await _parley("restore", "--force", str(newer), env=env)
        assert code != 0 and "9999_future is newer than this Parley" in said, said
        assert await _tables(url) == rows and _files(data) == before_files

        # --force replaces a live database, and the files come back.
        code, said = await _parley("restore", "--force", str(archive), env=env)
        assert code == 0, said
        assert await _tables(url) == rows and _files(data) == files


def _future_revision(name: str, body: bytes) -> bytes:
    if name != "manifest.json":
        return body
    manifest = json.loads(body)
    manifest["schema_revision"] = "9999_future"
    return json.dumps(manifest).encode()


def _repack(source: Path, target: Path, change: Any) -> None:
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            extracted = old.extractfile(member)
            assert extracted is not None
            body = change(member.name, extracted.read())
            member.size = len(body)
            new.addfile(member, io.BytesIO(body))


async def test_sqlite_backup_while_the_server_writes_is_consistent(tmp_path: Path) -> None:
    """Messages keep arriving during the backup; the copy holds a prefix of them, whole."""
    data = tmp_path / "data"
    archive = tmp_path / "parley.tar.gz"
    async with _database("sqlite", data) as url:
        env = {"PARLEY_DATABASE_URL": url, "PARLEY_DATA_DIR": str(data)}
        async with (
            serve(test_settings(url, data)) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
        ):
            alice, group = await _seed(Api(client), data)
            # Enough rows that the copy takes many steps of the online backup.
            await _filler(url, group["id"], alice.id, 20_000)
            sent: list[int] = []
            stop = asyncio.Event()

            async def write() -> None:
                while not stop.is_set():
                    sent.append((await alice.say(group["id"], f"live {len(sent)}"))["id"])

            writer = asyncio.create_task(write())
            code, said = await _parley("backup", str(archive), env=env)
            during = len(sent)
            await asyncio.sleep(0.3)
            stop.set()
            await writer
        assert code == 0, said
        assert during > 0 and len(sent) > during  # writes before, during and after
        restored = tmp_path / "restored"
        renv = {"PARLEY_DATABASE_URL": f"sqlite+aiosqlite:///{restored / 'parley.db'}"}
        code, said = await _parley(
            "restore", str(archive), env={**renv, "PARLEY_DATA_DIR": str(restored)}
        )
        assert code == 0 and "restore checked" in said, said

    engine = create_engine(renv["PARLEY_DATABASE_URL"])
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA integrity_check"))).scalar_one() == "ok"
            assert (await conn.execute(text("PRAGMA foreign_key_check"))).all() == []
            live = [
                i
                for (i,) in await conn.execute(
                    text("SELECT id FROM messages WHERE content LIKE 'live %' ORDER BY id")
                )
            ]
            # A prefix of what was sent: no message missing before one that is there.
            assert live == sent[: len(live)]
            messages = (
                await conn.execute(text("SELECT COUNT(*) FROM messages WHERE content != ''"))
            ).scalar_one()
            indexed = (await conn.execute(text("SELECT COUNT(*) FROM message_search"))).scalar_one()
            assert indexed == messages  # the index and the messages from one moment
    finally:
        await engine.dispose()


async def _filler(url: str, chat_id: int, sender_id: int, count: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            stamp = (await conn.execute(text("SELECT MAX(created_at) FROM messages"))).scalar()
            await conn.execute(
                text(
                    "INSERT INTO messages (chat_id, sender_id, content, is_read, created_at, "
                    "reacted) VALUES (:chat, :sender, :content, 0, :stamp, 0)"
                ),
                [
                    {
                        "chat": chat_id,
                        "sender": sender_id,
                        "content": f"filler {i} " + "x" * 200,
                        "stamp": stamp,
                    }
                    for i in range(count)
                ],
            )
            await conn.execute(
                text(
                    "INSERT INTO message_search (rowid, body) "
                    "SELECT id, content FROM messages WHERE content LIKE 'filler %'"
                )
            )
    finally:
        await engine.dispose()
