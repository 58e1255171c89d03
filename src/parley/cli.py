"""`parley serve | migrate | seed | demo | reindex | admin | backup | restore`: reads the
command line; `parley.app` acts."""

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from parley.app import StartupError, commands
from parley.app.backup import parley_version
from parley.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="parley", description="Parley messenger server")
    parser.add_argument("--version", action="version", version=f"parley {parley_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes sharing the port, one per core (needs PARLEY_REDIS_URL)",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    sub.add_parser("reindex", help="rebuild the message search index from the messages")
    seed = sub.add_parser("seed", help="load demo users, chats and messages")
    seed.add_argument("--file", dest="fixtures", type=Path, default=Path("fixtures/fixtures.sql"))
    demo = sub.add_parser(
        "demo", help="serve the demo users and chats from a throwaway database, to try a client"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--file", dest="fixtures", type=Path, default=None, help="demo data (SQL)")
    admin = sub.add_parser("admin", help="create or promote administrators")
    admin_sub = admin.add_subparsers(dest="action", required=True)
    create = admin_sub.add_parser("create", help="create an administrator account")
    create.add_argument("username")
    create.add_argument("--email", default=None, help="optional")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of asking twice",
    )
    promote = admin_sub.add_parser("promote", help="make an existing account an administrator")
    promote.add_argument("username")
    _backup_commands(sub)
    options = vars(parser.parse_args(argv))
    command = options.pop("command")

    try:
        settings = Settings()
    except ValidationError as exc:
        sys.exit(f"parley: invalid settings:\n{_settings_errors(exc)}")
    try:
        commands.run(command, settings, **options)
    except StartupError as exc:
        sys.exit(f"parley: {exc}")


def _backup_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backup = sub.add_parser(
        "backup",
        help="write the database, attachments and keys to one archive (the server may run)",
    )
    backup.add_argument("dest", type=Path, help="the archive to write (name.tar.gz)")
    restore = sub.add_parser(
        "restore",
        help="put a backup archive back and check it (stop the server first)",
        description="Checks the archive, replaces the database, attachments and keys with "
        "its own, checks them against its manifest and migrates an older schema. Stop the "
        "server first.",
    )
    restore.add_argument("src", type=Path, help="the archive `parley backup` wrote")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace a database that already has users (everything in it is lost)",
    )


def _settings_errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False):
        name = "PARLEY_" + "_".join(str(p) for p in error["loc"]).upper()
        lines.append(f"  {name}: {error['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
