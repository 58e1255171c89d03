"""`parley backup DEST` and `parley restore SRC`: one archive holds everything a node keeps.

DEST is one file, a gzip'd tar (``parley-2026-12-06.tar.gz``), written as ``DEST.partial``
and renamed when complete, readable by its owner only (it holds the signing keys):

    database/parley.sqlite3    SQLite: a snapshot by SQLite's online backup API
    database/parley.sql        MySQL/MariaDB: mariadb-dump --single-transaction
    attachments/<key>          the attachment and avatar files (PARLEY_STORAGE=disk)
    keys/secret_key            the generated keys in PARLEY_DATA_DIR, where present
    keys/vapid_private_key
    manifest.json              last: versions, schema revision, row counts, checksums

Both database copies are consistent while the server keeps writing: the SQLite snapshot
is read inside one read transaction (WAL lets writers go on), the dump inside one InnoDB
snapshot. The manifest's row counts are counted in the copy itself, never in the live
database, so they describe exactly what the archive holds.

Restore checks every checksum before it touches anything, then replaces the database and
files and checks the result against the manifest (rows per table, bytes of every file)
before it migrates an older schema to this version's.
"""

import asyncio
import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from tqdm import tqdm

from parley.app.preflight import StartupError, redact_url
from parley.config import SECRET_FILE, VAPID_FILE, Settings
from parley.db import migrate
from parley.db.database import create_engine

FORMAT = "parley-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/parley.sqlite3"
DUMP_MEMBER = "database/parley.sql"
KEY_FILES = (SECRET_FILE, VAPID_FILE)
_TOP = {"database", "attachments", "keys"}
CHUNK = 1024 * 1024
_PAGES_PER_STEP = 256  # SQLite pages copied between two progress updates
_UPLOAD_PREFIX = ".upload-"  # DiskStorage's files being written (parley.attachments.storage)

Say = Callable[[str], None]


@dataclass
class _Entry:
    path: str  # the member name in the archive
    size: int
    sha256: str


class _Hashing:
    """A file read through: sha256 and byte count of what was read, and a progress bar."""

    def __init__(self, inner: IO[bytes], progress: Callable[[int], object] | None = None) -> None:
        self._inner = inner
        self._progress = progress
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.hash.update(data)
        self.size += len(data)
        if self._progress is not None:
            self._progress(len(data))
        return data


def parley_version() -> str:
    try:
        return version("parley")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


# ---------------------------------------------------------------------------- backup


def backup(settings: Settings, dest: Path, say: Say, *, bars: bool = True) -> None:
    url = settings.effective_database_url
    kind = _kind(url)
    if dest.is_dir():
        raise StartupError(f"{dest} is a directory; name the archive, e.g. {dest}/parley.tar.gz")
    dest.parent.mkdir(parents=True, exist_ok=True)
    say(f"backing up {redact_url(url)} and {settings.data_dir} to {dest}")
    with tempfile.TemporaryDirectory(prefix=".parley-backup-", dir=dest.parent) as work:
        staged = Path(work)
        if kind == "sqlite":
            member = SQLITE_MEMBER
            tables, revision = _snapshot_sqlite(_sqlite_path(url), staged / "db", bars)
        else:
            member = DUMP_MEMBER
            tables, revision = _dump_mysql(url, staged / "db", bars)
        # Files after the database: a file newer than the copy is only an orphan, while
        # the reverse order could give rows whose file is missing.
        files = [(member, staged / "db")]
        files += _data_files(settings, say)
        partial = dest.with_name(dest.name + ".partial")

        def manifest(entries: list[_Entry]) -> dict[str, Any]:
            return {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "parley_version": parley_version(),
                "schema_revision": revision,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {"kind": kind, "path": member, "tables": tables},
                "storage": settings.storage,
                "files": [entry.__dict__ for entry in entries],
            }

        try:
            entries = _write_archive(partial, files, manifest, bars)
            with partial.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(partial, dest)
        except BaseException:
            partial.unlink(missing_ok=True)  # never a file that looks like a backup
            raise
        _fsync_dir(dest.parent)
    attachments = sum(1 for e in entries if e.path.startswith("attachments/"))
    keys = sum(1 for e in entries if e.path.startswith("keys/"))
    say(
        f"wrote {dest} ({_size(dest.stat().st_size)}): {kind} database at revision {revision} "
        f"({len(tables)} tables, {sum(tables.values())} rows), {attachments} attachment files, "
        f"{keys} key files"
    )


def _snapshot_sqlite(source: Path, target: Path, bars: bool) -> tuple[dict[str, int], str]:
    """A consistent copy of the live file, made while the server goes on writing.

    The source connection holds one read transaction for the whole copy, so every step of
    the online backup reads the same snapshot (WAL lets the server commit meanwhile) and
    the copy never restarts. The CLI has no event loop, so blocking here blocks no one.
    """
    if not source.is_file():
        raise StartupError(f"no SQLite database at {source}")
    src = sqlite3.connect(source, timeout=30, isolation_level=None)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts
        with tqdm(desc="database", unit=" pages", disable=not bars) as progress:

            def step(_status: int, remaining: int, total: int) -> None:
                progress.total = total
                progress.update(total - remaining - progress.n)

            src.backup(dst, pages=_PAGES_PER_STEP, progress=step)
        src.execute("COMMIT")
        # One self-contained file: the server turns WAL back on when it opens it.
        dst.execute("PRAGMA journal_mode=DELETE")
        tables = _sqlite_counts(dst)
        revision = _sqlite_revision(dst)
    finally:
        src.close()
        dst.close()
    return tables, revision


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None:
        raise StartupError("the database has no schema yet (run `parley migrate` first)")
    return str(row[0])


def _dump_mysql(url: str, target: Path, bars: bool) -> tuple[dict[str, int], str]:
    """The documented dump, run and checked: exit status, its closing line, its rows."""
    revision = asyncio.run(_mysql_revision(url))
    tool = _tool("mariadb-dump", "mysqldump")
    parsed = make_url(url)
    with _defaults_file(parsed) as defaults, target.open("wb") as out:
        command = [
            tool,
            f"--defaults-extra-file={defaults}",  # credentials: never on the command line
            "--single-transaction",
            "--quick",
            "--routines",
            "--triggers",
            "--hex-blob",
            "--no-tablespaces",  # the parley user needs no PROCESS privilege
            "--default-character-set=utf8mb4",
            str(parsed.database),
        ]
        with (
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as dump,
            tqdm(desc="database", unit="B", unit_scale=True, disable=not bars) as progress,
        ):
            assert dump.stdout is not None and dump.stderr is not None
            while chunk := dump.stdout.read(CHUNK):
                out.write(chunk)
                progress.update(len(chunk))
            errors = dump.stderr.read().decode(errors="replace").strip()
        out.flush()
        os.fsync(out.fileno())
    if dump.returncode != 0:
        raise StartupError(f"{tool} failed (exit {dump.returncode}): {errors}")
    tables, complete = dump_tables(target)
    if not complete:
        raise StartupError(f"{tool} stopped before the end of the dump: {errors}")
    return tables, revision


_STRING = re.compile(rb"'[^'\\]*(?:\\.[^'\\]*)*'")
_CREATE = re.compile(rb"^CREATE TABLE `([^`]+)`")
_INSERT = re.compile(rb"^INSERT INTO `([^`]+)` VALUES")


def dump_tables(path: Path) -> tuple[dict[str, int], bool]:
    """Rows per table in a dump, counted in the dump, and whether it ran to its end.

    mariadb-dump escapes line breaks inside strings, so every line can be read alone: with
    the strings taken out, each `(` of an INSERT's values opens one row.
    """
    tables: dict[str, int] = {}
    current: bytes | None = None
    complete = False
    with path.open("rb") as dump:
        for line in dump:
            if current is None:
                if created := _CREATE.match(line):
                    tables.setdefault(created.group(1).decode(), 0)
                complete = complete or line.startswith(b"-- Dump completed")
                inserted = _INSERT.match(line)
                if inserted is None:
                    continue
                current = inserted.group(1)
                line = line[inserted.end() :]
            values = _STRING.sub(b"", line)
            name = current.decode()
            tables[name] = tables.get(name, 0) + values.count(b"(")
            if values.rstrip().endswith(b";"):
                current = None
    return dict(sorted(tables.items())), complete


async def _mysql_revision(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            if "alembic_version" not in names:
                raise StartupError("the database has no schema yet (run `parley migrate` first)")
            found = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return str(found.scalar_one())
    finally:
        await engine.dispose()


def _data_files(settings: Settings, say: Say) -> list[tuple[str, Path]]:
    """The attachment files and generated keys under data_dir, as (member, path)."""
    files: list[tuple[str, Path]] = []
    root = settings.data_dir / "attachments"
    if settings.storage == "s3":
        say("attachments are in S3: back the bucket up with its own tools (versioning)")
    elif root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(_UPLOAD_PREFIX):
                files.append((f"attachments/{path.relative_to(root).as_posix()}", path))
    for name in KEY_FILES:
        if (settings.data_dir / name).is_file():
            files.append((f"keys/{name}", settings.data_dir / name))
    return files


def _write_archive(
    partial: Path,
    files: list[tuple[str, Path]],
    manifest: Callable[[list[_Entry]], dict[str, Any]],
    bars: bool,
) -> list[_Entry]:
    """The files, hashed as they are read into the archive, then the manifest last."""
    entries: list[_Entry] = []
    sizes = {}
    for member, path in files:
        with contextlib.suppress(FileNotFoundError):  # swept away since the listing
            sizes[member] = path.stat().st_size
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with (
        os.fdopen(fd, "wb") as raw,
        tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
        tqdm(
            desc="archive", total=sum(sizes.values()), unit="B", unit_scale=True, disable=not bars
        ) as progress,
    ):
        for member, path in files:
            if member not in sizes:
                continue
            try:
                handle = path.open("rb")
            except FileNotFoundError:
                continue
            with handle:
                info = tarfile.TarInfo(member)
                info.size = os.fstat(handle.fileno()).st_size
                info.mtime = int(os.fstat(handle.fileno()).st_mtime)
                info.mode = 0o600
                reader = _Hashing(handle, progress.update)
                archive.addfile(info, reader)
            if reader.size != info.size:
                raise StartupError(f"{path} changed while it was being backed up; run it again")
            entries.append(_Entry(member, reader.size, reader.hash.hexdigest()))
        body = json.dumps(manifest(entries), indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
        archive.addfile(info, io.BytesIO(body))
    return entries


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


# --------------------------------------------------------------------------- restore


def restore(settings: Settings, src: Path, say: Say, *, force: bool, bars: bool = True) -> None:
    url = settings.effective_database_url
    kind = _kind(url)
    if not src.is_file():
        raise StartupError(f"no backup archive at {src}")
    say(f"restoring {src} into {redact_url(url)} and {settings.data_dir}")
    say("the server must be stopped while a restore runs")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".parley-restore-", dir=settings.data_dir) as work:
        staged = Path(work)
        manifest = _unpack_checked(src, staged, bars)
        say(f"checked {src}: every file matches its checksum")
        revision = _check_restorable(manifest, url, kind)
        if not force and asyncio.run(_has_users(url)):
            raise StartupError(
                f"{redact_url(url)} already has users: restoring would replace them; stop the "
                "server and run `parley restore --force` to replace everything with the backup"
            )
        database = manifest["database"]
        if kind == "sqlite":
            _install_file(staged / database["path"], _sqlite_path(url), mode=0o600, sqlite=True)
        else:
            asyncio.run(drop_tables(url))
            _load_mysql(url, staged / database["path"], bars)
        _install_data_files(settings, staged, manifest)
        _check_restored(settings, url, kind, manifest, say)
    if revision != _head(url):
        say(f"upgrading the restored schema from revision {revision} to this version's")
        migrate.upgrade(url)
        say("database is up to date")


def _unpack_checked(src: Path, staged: Path, bars: bool) -> dict[str, Any]:
    """Every member unpacked into ``staged`` and checked against the manifest.

    Nothing outside ``staged`` is written, so a damaged archive changes nothing.
    """
    try:
        return _unpack(src, staged, bars)
    except StartupError as exc:
        raise StartupError(f"{exc}; nothing was changed") from None


def _unpack(src: Path, staged: Path, bars: bool) -> dict[str, Any]:
    found: dict[str, _Entry] = {}
    manifest: dict[str, Any] | None = None
    total = src.stat().st_size
    try:
        with (
            src.open("rb") as raw,
            gzip.GzipFile(fileobj=raw, mode="rb") as unzipped,
            tarfile.open(fileobj=unzipped, mode="r:") as archive,
            tqdm(
                desc="checking",
                total=total,
                unit="B",
                unit_scale=True,
                disable=not bars,
            ) as progress,
        ):
            for member in archive:
                progress.update(raw.tell() - progress.n)
                if member.name == MANIFEST and member.isfile():
                    manifest = json.loads(_read_member(archive, member))
                    continue
                name = _safe_member(member)
                if name in found:
                    raise StartupError(f"{src} holds {name} twice; it is not a Parley backup")
                target = staged / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with _open_member(archive, member) as source, target.open("wb") as out:
                    reader = _Hashing(source)
                    shutil.copyfileobj(reader, out, CHUNK)
                found[name] = _Entry(name, reader.size, reader.hash.hexdigest())
            # To the end of the gzip stream, whose checksum is checked only there (tar stops
            # at a damaged header as if the archive ended).
            while unzipped.read(CHUNK):
                pass
            progress.update(total - progress.n)
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as exc:
        raise StartupError(f"{src} is damaged or not a Parley backup ({exc})") from None
    if manifest is None or manifest.get("format") != FORMAT:
        raise StartupError(f"{src} has no Parley manifest; it is not a Parley backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise StartupError(
            f"{src} is backup format {manifest.get('format_version')}; this Parley reads "
            f"format {FORMAT_VERSION}"
        )
    listed = {entry["path"]: _Entry(**entry) for entry in manifest["files"]}
    for name in sorted(listed.keys() | found.keys()):
        if name not in found:
            raise StartupError(f"{src} lacks {name}, which its manifest lists")
        if name not in listed:
            raise StartupError(f"{src} holds {name}, which its manifest does not list")
        if found[name] != listed[name]:
            raise StartupError(
                f"{name} in {src} does not match its checksum (the archive is damaged)"
            )
    return manifest


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    with _open_member(archive, member) as source:
        return source.read()


def _open_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    source = archive.extractfile(member)
    if source is None:
        raise StartupError(f"{member.name} in the archive is not a file")
    return source


def _safe_member(member: tarfile.TarInfo) -> str:
    """The member's name, if it is a plain file where a Parley backup puts files."""
    path = PurePosixPath(member.name)
    if (
        not member.isfile()
        or path.is_absolute()
        or ".." in path.parts
        or len(path.parts) < 2
        or path.parts[0] not in _TOP
    ):
        raise StartupError(f"the archive holds {member.name!r}, which no Parley backup holds")
    return path.as_posix()


def _check_restorable(manifest: dict[str, Any], url: str, kind: str) -> str:
    database = manifest["database"]
    if database["kind"] != kind:
        raise StartupError(
            f"the backup holds a {database['kind']} database and this server is configured "
            f"for {kind}; set PARLEY_DATABASE_URL to a {database['kind']} database"
        )
    revision = str(manifest["schema_revision"])
    try:
        known = _scripts(url).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise StartupError(
            f"the backup's schema revision {revision} is newer than this Parley "
            f"({parley_version()}) knows; restore it with the version that made it "
            f"({manifest.get('parley_version')}) or a later one"
        )
    return revision


def _scripts(url: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config(url))


def _head(url: str) -> str:
    return str(_scripts(url).get_current_head())


async def _has_users(url: str) -> bool:
    if _kind(url) == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            if "users" not in names:
                return False
            count = (await conn.execute(text("SELECT COUNT(*) FROM users"))).scalar_one()
            return bool(count)
    finally:
        await engine.dispose()


def _install_file(source: Path, target: Path, *, mode: int, sqlite: bool = False) -> None:
    """``target`` replaced by ``source`` at once: written beside it, synced, renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        if sqlite:
            # SQLite: a journal left by the old database must not be applied to this one.
            for leftover in ("-wal", "-shm", "-journal"):
                Path(f"{target}{leftover}").unlink(missing_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


async def drop_tables(url: str) -> None:
    """Every table of the configured database: tables the backup lacks must not stay."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            await conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for name in names:
                await conn.execute(text(f"DROP TABLE `{name}`"))
            await conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    finally:
        await engine.dispose()


def _load_mysql(url: str, dump: Path, bars: bool) -> None:
    tool = _tool("mariadb", "mysql")
    parsed = make_url(url)
    with (
        _defaults_file(parsed) as defaults,
        tempfile.TemporaryFile() as errors,
        dump.open("rb") as data,
        tqdm(
            desc="database", total=dump.stat().st_size, unit="B", unit_scale=True, disable=not bars
        ) as progress,
    ):
        command = [
            tool,
            f"--defaults-extra-file={defaults}",
            "--default-character-set=utf8mb4",
            str(parsed.database),
        ]
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors
        ) as client:
            assert client.stdin is not None
            try:
                while chunk := data.read(CHUNK):
                    client.stdin.write(chunk)
                    progress.update(len(chunk))
            except BrokenPipeError:
                pass  # the client stopped early: its exit status and words say why
            finally:
                with contextlib.suppress(BrokenPipeError):
                    client.stdin.close()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip()
    if client.returncode != 0:
        raise StartupError(f"{tool} could not load the dump (exit {client.returncode}): {said}")


def _install_data_files(settings: Settings, staged: Path, manifest: dict[str, Any]) -> None:
    """The attachment directory swapped for the backup's, and the key files put back."""
    if manifest.get("storage", "disk") == "disk" and settings.storage == "disk":
        root = settings.data_dir / "attachments"
        incoming = staged / "attachments"
        incoming.mkdir(exist_ok=True)
        old = staged / "attachments-replaced"
        if root.exists():
            os.replace(root, old)  # same file system: staged is inside data_dir
        os.replace(incoming, root)
        _fsync_dir(settings.data_dir)
    for name in KEY_FILES:
        if (staged / "keys" / name).is_file():
            _install_file(staged / "keys" / name, settings.data_dir / name, mode=0o600)


def _check_restored(
    settings: Settings, url: str, kind: str, manifest: dict[str, Any], say: Say
) -> None:
    """The restored rows and files against the manifest: same tables, rows, bytes."""
    database = manifest["database"]
    expected: dict[str, int] = database["tables"]
    if kind == "sqlite":
        path = _sqlite_path(url)
        files = [(path, _entry(manifest, database["path"]))]
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            counts = _sqlite_counts(conn)
        finally:
            conn.close()
    else:
        files = []
        counts = asyncio.run(_mysql_counts(url))
    if counts != expected:
        names = sorted(n for n in {*expected, *counts} if counts.get(n) != expected.get(n))
        differ = [f"{n} ({counts.get(n)} here, {expected.get(n)} in the backup)" for n in names]
        raise StartupError("restore check failed: rows differ in " + ", ".join(differ))
    for entry in manifest["files"]:
        top, _, rest = entry["path"].partition("/")
        if top == "attachments" and settings.storage == "disk":
            files.append((settings.data_dir / "attachments" / rest, _Entry(**entry)))
        elif top == "keys":
            files.append((settings.data_dir / rest, _Entry(**entry)))
    for path, entry in files:
        if _file_entry(path, entry.path) != entry:
            raise StartupError(
                f"restore check failed: {path} differs from the backup's {entry.path}"
            )
    data_files = len(files) - (1 if kind == "sqlite" else 0)
    say(
        f"restore checked: {len(counts)} tables, {sum(counts.values())} rows, "
        f"{data_files} files identical"
    )


def _entry(manifest: dict[str, Any], path: str) -> _Entry:
    return next(_Entry(**e) for e in manifest["files"] if e["path"] == path)


def _file_entry(path: Path, name: str) -> _Entry:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as data:
            while chunk := data.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return _Entry(name, -1, "")
    return _Entry(name, size, digest.hexdigest())


async def _mysql_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            return {
                name: (await conn.execute(text(f"SELECT COUNT(*) FROM `{name}`"))).scalar_one()
                for name in sorted(names)
            }
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- shared


def _kind(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "mysql"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise StartupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _tool(*names: str) -> str:
    for name in names:
        if found := shutil.which(name):
            return found
    raise StartupError(
        f"{' or '.join(names)} is needed for MariaDB/MySQL backups and restores and is not "
        "installed (Debian: apt install mariadb-client)"
    )


@contextlib.contextmanager
def _defaults_file(url: URL) -> Iterator[str]:
    """A client option file with the URL's server and credentials, readable by us only.

    Passwords on a command line are visible to every local user (ps), so they go here.
    """

    def quoted(value: object) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["[client]"]
    if url.username:
        lines.append(f"user={quoted(url.username)}")
    if url.password:
        lines.append(f"password={quoted(url.password)}")
    if url.host:
        lines.append(f"host={quoted(url.host)}")
    if url.port:
        lines.append(f"port={url.port}")
    if socket := url.query.get("unix_socket"):
        lines.append(f"socket={quoted(socket)}")
    fd, path = tempfile.mkstemp(prefix="parley-client-", suffix=".cnf")
    try:
        with os.fdopen(fd, "w") as out:  # mkstemp made it 0600
            out.write("\n".join(lines) + "\n")
        yield path
    finally:
        os.unlink(path)
