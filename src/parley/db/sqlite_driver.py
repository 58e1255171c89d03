"""SQLite through aiosqlite with one hand-off to its thread per statement.

aiosqlite runs every call on a thread of its own. SQLAlchemy's adapter makes four calls
per statement (open a cursor, execute, fetch, close), and one more for each commit and
each rollback the pool makes when a connection comes back, even with no transaction to
end. Every call is a queue put, a thread wake-up and an event-loop wake-up: 0.3-0.5 ms of
waiting on these machines, most of a history page's latency (10 calls for 2 statements).

This adapter runs a statement's four steps in one call, and skips a commit or rollback
when SQLite has no transaction open: Python's sqlite3 opens one only before a write, so
reads end with nothing to commit. What runs, and in what order, is unchanged.

It leans on two of aiosqlite's internals that SQLAlchemy's own adapter uses as well: the
connection's ``_execute`` (run a function on its thread) and ``_conn`` (the sqlite3
connection, only touched from that thread, except to read ``in_transaction``).
"""

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any], int, int | None]


def _run(raw: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """On aiosqlite's thread: the whole statement, its rows read and its cursor closed."""
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """A DB-API cursor whose statements are one call each on aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # No aiosqlite cursor to open: `_run` makes and closes a sqlite3 one per statement.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._call(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._call(operation, seq_of_parameters, many=True)

    def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._connection
        try:
            outcome: Outcome = await_(
                connection._execute(_run, connection._conn, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)  # raises it, as DB-API errors
            raise
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        """Nothing to close early: the rows are already read and the cursor closed."""

    def close(self) -> None:
        self._rows.clear()


class OneCallConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneCallCursor

    def _in_transaction(self) -> bool:
        connection = self._connection
        return connection._connection is not None and connection._conn.in_transaction

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()


class OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect is given (``module=``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneCallConnection:
        adapted = super().connect(*arg, **kw)
        return OneCallConnection(self, adapted._connection)


def dbapi() -> OneCallDBAPI:
    import aiosqlite

    return OneCallDBAPI(aiosqlite, sqlite3)
