"""`parley serve | migrate | seed | demo`: each says what it does."""

import argparse
import asyncio
import logging
import logging.config
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from parley import demo, preflight
from parley.config import Settings
from parley.db import migrate
from parley.observability.logs import logging_config
from parley.realtime.router import WS_MAX_FRAME

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


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_migrate(settings: Settings) -> None:
    url = settings.effective_database_url
    preflight.wait_for_database(url, settings.startup_timeout)
    _say(f"migrating database {_redact(url)} to the latest schema")
    migrate.upgrade(url)
    _say("database is up to date")


def cmd_seed(settings: Settings, fixtures: Path) -> None:
    from parley.db.seed import load_sql

    cmd_migrate(settings)
    _say(f"loading demo data from {fixtures}")
    count = asyncio.run(load_sql(settings.effective_database_url, fixtures.read_text("utf-8")))
    _say(f"loaded {count} statements; sign in as alice / parley-demo (see README)")


def cmd_serve(settings: Settings, host: str, port: int, reload: bool) -> None:
    import uvicorn

    _configure_logging(settings)
    cmd_migrate(settings)
    if settings.redis_url:
        preflight.wait_for_redis(settings.redis_url, settings.startup_timeout)
    web = "and the web client " if (settings.web_dir / "index.html").is_file() else ""
    _say(f"serving the API {web}on http://{host}:{port} (Ctrl+C stops)")
    uvicorn.run(
        "parley.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        **server_options(settings),
    )


def cmd_demo(configured: Settings, host: str, port: int, fixtures: Path | None) -> None:
    import uvicorn

    from parley.main import create_app

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="parley", description="Parley messenger server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    sub.add_parser("migrate", help="bring the database schema up to date")
    seed = sub.add_parser("seed", help="load demo users, chats and messages")
    seed.add_argument("--file", type=Path, default=Path("fixtures/fixtures.sql"))
    demo_ = sub.add_parser(
        "demo", help="serve the demo users and chats from a throwaway database, to try a client"
    )
    demo_.add_argument("--host", default="127.0.0.1")
    demo_.add_argument("--port", type=int, default=8000)
    demo_.add_argument("--file", type=Path, default=None, help="demo data (SQL)")
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as exc:
        sys.exit(f"parley: invalid settings:\n{_settings_errors(exc)}")
    try:
        if args.command == "serve":
            cmd_serve(settings, args.host, args.port, args.reload)
        elif args.command == "migrate":
            cmd_migrate(settings)
        elif args.command == "seed":
            cmd_seed(settings, args.file)
        elif args.command == "demo":
            cmd_demo(settings, args.host, args.port, args.file)
    except preflight.StartupError as exc:
        sys.exit(f"parley: {exc}")
    except FileNotFoundError as exc:
        sys.exit(f"parley: {exc}")
    except (OperationalError, InterfaceError) as exc:
        sys.exit(f"parley: cannot use the database: {exc.orig or exc}")
    except IntegrityError:
        sys.exit("parley: the demo data clashes with rows already there; seed an empty database")


def _settings_errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False):
        name = "PARLEY_" + "_".join(str(p) for p in error["loc"]).upper()
        lines.append(f"  {name}: {error['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
