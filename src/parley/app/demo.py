"""`parley demo`: a throwaway server with the demo users and chats, to try the clients."""

import shutil
import tempfile
from pathlib import Path

FIXTURES = "fixtures/fixtures.sql"
USERS = ("alice", "bob", "carol", "dave")
PASSWORD = "parley-demo"


def find_fixtures(given: Path | None) -> Path:
    """The file named, else ./fixtures/fixtures.sql, else the one in the source tree."""
    candidates = [given] if given else [Path(FIXTURES), Path(__file__).parents[3] / FIXTURES]
    for path in candidates:
        if path is not None and path.is_file():
            return path
    raise FileNotFoundError(f"no demo data at {' or '.join(str(c) for c in candidates)}")


def find_web(configured: Path) -> Path | None:
    """The built web client: the configured one, else the source tree's, if built."""
    for path in (configured, Path(__file__).parents[3] / "desktop" / "dist" / "web"):
        if (path / "index.html").is_file():
            return path
    return None


def make_data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="parley-demo-"))


def remove_data_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def banner(url: str, data_dir: Path, web: bool) -> str:
    return "\n".join(
        [
            f"demo server on {url}  (Ctrl+C stops it and deletes its data)",
            f"  sign in as {', '.join(USERS)}, password {PASSWORD}",
            f"  desktop app: set the server to {url}",
            f"  web client:  {url}/" if web else "  web client:  not built (make web)",
            f"  API docs:    {url}/docs",
            f"  data (SQLite, thrown away): {data_dir}",
        ]
    )
