"""The async engine and session factory, tuned per backend."""

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from parley.db import sqlite_driver

GROUP_CONCAT_MAX = 64 * 1024 * 1024  # bytes; see `create_engine`


def create_engine(url: str, *, echo: bool = False, timeout: float | None = None) -> AsyncEngine:
    """``timeout`` (MySQL/MariaDB) bounds each wait on the server, for serving engines.

    Without it a server that is frozen or cut off (connections neither answered nor
    refused) would hold requests forever. Migrations leave it off: an ALTER on a big
    table may rightly take minutes.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Writers wait for each other instead of failing with "database is locked".
        kwargs["connect_args"] = {"timeout": 30}
        if parsed.get_driver_name() == "aiosqlite":
            kwargs["module"] = sqlite_driver.dbapi()  # one thread hand-off per statement
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "mysql":
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        kwargs.update(
            pool_pre_ping=True,  # survive the server closing idle connections
            pool_recycle=1800,
            pool_size=10,
            max_overflow=20,
            # A checkout waits this long for a free connection before the request gets
            # 503: long enough for any burst of millisecond queries to drain.
            pool_timeout=timeout or 10,
            # READ COMMITTED avoids gap locks, so racing inserts fail fast on the
            # unique index instead of deadlocking.
            isolation_level="READ COMMITTED",
        )
        # A FULLTEXT index takes the stop-word setting of the session that (re)builds it
        # (CREATE, TRUNCATE, ALTER): off everywhere, "about" and "the" are found as well.
        # A history page reads each message's reactions as one GROUP_CONCAT, which MySQL
        # cuts at 1 KB by default (about 40 reactions): 64 MB is every reaction a message
        # can realistically have.
        connect_args: dict[str, Any] = {
            "init_command": "SET SESSION innodb_ft_enable_stopword = OFF,"
            f" group_concat_max_len = {GROUP_CONCAT_MAX}"
        }
        if timeout is not None:
            # connect_timeout covers the TCP connect; read_timeout every wait for the
            # server after it (the handshake, pre-ping, each statement), so a frozen
            # server costs at most a pre-ping and a reconnect: about twice this.
            # Parley's statements take milliseconds; a lock wait this long is better
            # answered with 503 than left holding a connection.
            connect_args.update(connect_timeout=timeout, read_timeout=timeout)
        kwargs["connect_args"] = connect_args
    return create_async_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit: responses are built from them.
    return async_sessionmaker(engine, expire_on_commit=False)
