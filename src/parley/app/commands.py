"""What `parley serve | migrate | seed | demo | reindex | admin | backup | restore` do; each says
what it is doing.

`parley.cli` only reads the command line and calls `run`.
"""

import asyncio
import getpass
import logging
import logging.config
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from tqdm import tqdm

from parley.app import backup, demo, preflight
from parley.app.factory import create_app
from parley.app.preflight import StartupError
from parley.app.startup import prepare
from parley.auth import service as auth_service
from parley.auth.schemas import RegisterIn
from parley.auth.security import Passwords
from parley.config import Settings
from parley.core.errors import DomainError
from parley.db import migrate
from parley.db.database import create_engine, create_sessionmaker
from parley.db.seed import load_sql
from parley.http.web import web_root
from parley.messages import search_index
from parley.observability.logs import logging_config
from parley.realtime.router import WS_MAX_FRAME
from parley.users import admin

_log = logging.getLogger("parley.cli")
_json_logs = False  # with PARLEY_LOG_FORMAT=json every line, ours too, is a JSON log line


def _say(message: str) -> None:
    if _json_logs:
        _log.info(message)
    else:
        print(f"parley: {message}", flush=True)


def _configure_logging(settings: Settings) -> None:
    global _json_logs
    logging.config.dictConfig(logging_config(settings.log_format, settings.log_level))
    _json_logs = settings.log_format == "json"


def cmd_migrate(settings: Settings) -> None:
    url = settings.effective_database_url
    preflight.wait_for_database(url, settings.startup_timeout)
    _say(f"migrating database {preflight.redact_url(url)} to the latest schema")
    migrate.upgrade(url)
    _say("database is up to date")


def cmd_seed(settings: Settings, fixtures: Path) -> None:
    cmd_migrate(settings)
    _say(f"loading demo data from {fixtures}")
    count = asyncio.run(load_sql(settings.effective_database_url, fixtures.read_text("utf-8")))
    _say(f"loaded {count} statements")
    _reindex(settings, bar=False)
    _say("sign in as alice / parley-demo (see README)")


def cmd_reindex(settings: Settings) -> None:
    cmd_migrate(settings)
    _reindex(settings, bar=True)


def _reindex(settings: Settings, *, bar: bool) -> None:
    """Build the message search index again from the messages (upgrades, repairs, seeds)."""
    _say("rebuilding the message search index")
    with tqdm(unit=" messages", disable=not bar or _json_logs) as progress:

        def advance(done: int, total: int) -> None:
            progress.total = total
            progress.update(done - progress.n)

        count = asyncio.run(_rebuild(settings.effective_database_url, advance))
    _say(f"indexed {count} messages for search")


async def _rebuild(url: str, progress: Callable[[int, int], None]) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await search_index.rebuild(session, progress)
    finally:
        await engine.dispose()


def cmd_admin(
    settings: Settings,
    action: str,
    username: str,
    email: str | None = None,
    password_stdin: bool = False,
) -> None:
    """`parley admin create|promote USERNAME`: administrators for servers with users already
    (or with registration closed), made from the machine the server runs on."""
    cmd_migrate(settings)
    if action == "promote":
        _say(f"making {username} an administrator")
        if not asyncio.run(_promote(settings, username)):
            raise StartupError(f"there is no account named {username!r}")
        _say(f"{username} is now an administrator")
        return
    password = _read_password(password_stdin)
    try:
        data = RegisterIn(username=username, email=email, password=password)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        raise StartupError(f"cannot create {username!r}: {problems}") from None
    _say(f"creating administrator {username}")
    try:
        asyncio.run(_create_admin(settings, data))
    except DomainError as exc:
        raise StartupError(f"cannot create {username!r}: {exc.detail}") from None
    _say(f"created {username}; they can sign in now")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise StartupError("the two passwords differ; nothing was created")
    return password


async def _create_admin(settings: Settings, data: RegisterIn) -> None:
    engine = create_engine(settings.effective_database_url)
    try:
        passwords = Passwords(settings.password_time_cost, settings.password_memory_kib)
        password_hash = await passwords.hash(data.password)
        async with create_sessionmaker(engine)() as session, session.begin():
            await auth_service.create_account(
                session,
                username=data.username,
                email=data.email,
                password_hash=password_hash,
                is_admin=True,
            )
    finally:
        await engine.dispose()


async def _promote(settings: Settings, username: str) -> bool:
    engine = create_engine(settings.effective_database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await admin.promote_by_name(session, username) is not None
    finally:
        await engine.dispose()


def cmd_backup(settings: Settings, dest: Path) -> None:
    backup.backup(settings, dest, _say, bars=not _json_logs)


def cmd_restore(settings: Settings, src: Path, force: bool) -> None:
    backup.restore(settings, src, _say, force=force, bars=not _json_logs)


def cmd_serve(settings: Settings, host: str, port: int, reload: bool, workers: int = 1) -> None:
    import uvicorn

    _configure_logging(settings)
    if workers > 1 and not settings.redis_url:
        # Each worker is a process with its own sockets: only Redis carries events between.
        raise StartupError("--workers above 1 needs PARLEY_REDIS_URL (events cross processes)")
    prepare(settings)  # a node that cannot sign alike with the others stops here, in words
    cmd_migrate(settings)
    if settings.redis_url:
        preflight.wait_for_redis(settings.redis_url, settings.startup_timeout)
    web = "and the web client " if web_root(settings.web_dir) is not None else ""
    processes = f" in {workers} processes" if workers > 1 else ""
    _say(f"serving the API {web}on http://{host}:{port}{processes} (Ctrl+C stops)")
    uvicorn.run(
        "parley.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers if workers > 1 else None,
        **server_options(settings),
    )


def cmd_demo(configured: Settings, host: str, port: int, fixtures: Path | None) -> None:
    import uvicorn

    source = demo.find_fixtures(fixtures)
    web = demo.find_web(configured.web_dir)
    data_dir = demo.make_data_dir()
    try:
        # One node, SQLite in a temporary directory: no database, Redis or key configured
        # elsewhere applies.
        settings = Settings(
            env="development",
            data_dir=data_dir,
            database_url="",
            redis_url="",
            secret_key="",
            web_dir=web or data_dir / "no-web-client",
        )
        _configure_logging(settings)
        cmd_seed(settings, source)
        for line in demo.banner(f"http://{host}:{port}", data_dir, web is not None).splitlines():
            _say(line)
        uvicorn.run(create_app(settings), host=host, port=port, **server_options(settings))
    finally:
        demo.remove_data_dir(data_dir)


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for `serve` and `demo`: Parley's logging and socket settings."""
    return {
        "log_level": settings.log_level,
        "log_config": logging_config(settings.log_format, settings.log_level),
        # Parley writes its own access log: request ids, and the ?token= query redacted.
        "access_log": False,
        **socket_options(settings),
    }


def socket_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn runs Parley's sockets (shared with the tests' in-process servers)."""
    return {
        "ws_max_size": WS_MAX_FRAME,
        # Protocol pings: a peer that stops answering is dropped after the timeout.
        "ws_ping_interval": settings.ws_ping_interval,
        "ws_ping_timeout": settings.ws_ping_timeout,
        # Chat frames are small; per-socket compression state would double memory per socket.
        "ws_per_message_deflate": False,
    }


def run(command: str, settings: Settings, **options: Any) -> None:
    """Run one command; every failure a person can fix arrives as a StartupError's words."""
    commands: dict[str, Callable[..., None]] = {
        "serve": cmd_serve,
        "migrate": cmd_migrate,
        "seed": cmd_seed,
        "demo": cmd_demo,
        "reindex": cmd_reindex,
        "admin": cmd_admin,
        "backup": cmd_backup,
        "restore": cmd_restore,
    }
    with _in_words():
        commands[command](settings, **options)


@contextmanager
def _in_words() -> Iterator[None]:
    try:
        yield
    except FileNotFoundError as exc:
        raise StartupError(str(exc)) from None
    except (OperationalError, InterfaceError) as exc:
        raise StartupError(f"cannot use the database: {exc.orig or exc}") from None
    except IntegrityError:
        raise StartupError(
            "the demo data clashes with rows already there; seed an empty database"
        ) from None
