"""Every test that takes `api` or `server` runs once on SQLite and once on MariaDB."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.nodes import RedisServer, free_port
from tests.support import (
    BACKENDS_FOR_TESTS,
    Api,
    RunningServer,
    empty_tables,
    mariadb_database,
    migrate_to_head,
    serve,
    test_settings,
)


@pytest.fixture(scope="session", params=BACKENDS_FOR_TESTS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "parley.db"
        url = f"sqlite+aiosqlite:///{path}"
        await migrate_to_head(url)
        yield url
    else:
        async with mariadb_database() as url:
            await migrate_to_head(url)
            yield url


@pytest.fixture(scope="session")
async def server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningServer]:
    settings = test_settings(database_url, tmp_path_factory.mktemp("data"))
    async with serve(settings) as running:
        yield running


@pytest.fixture
async def api(server: RunningServer, database_url: str) -> AsyncIterator[Api]:
    await empty_tables(database_url)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield Api(client)


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "mariadb"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server that a test may stop and start (the shared one stays up)."""
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
