"""`parley serve | migrate | seed`: each says what it does."""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from parley.config import Settings
from parley.db import migrate
from parley.realtime.router import WS_MAX_FRAME


def _say(message: str) -> None:
    print(f"parley: {message}", flush=True)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_migrate(settings: Settings) -> None:
    url = settings.effective_database_url
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

    cmd_migrate(settings)
    web = "and the web client " if (settings.web_dir / "index.html").is_file() else ""
    _say(f"serving the API {web}on http://{host}:{port} (Ctrl+C stops)")
    uvicorn.run(
        "parley.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level=settings.log_level,
        **socket_options(settings),
    )


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
