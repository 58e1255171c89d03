"""Alembic environment: runs migrations on the async engine Parley itself uses."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from parley.config import Settings
from parley.db.database import create_engine
from parley.db.models import Base
from parley.messages.search_index import is_index_table

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().effective_database_url


def _configure(connection: Connection | None = None) -> None:
    is_sqlite = _url().startswith("sqlite")
    context.configure(
        connection=connection,
        url=None if connection is not None else _url(),
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,  # SQLite cannot ALTER most things in place
        compare_type=True,
        include_name=_modelled,
    )


def _modelled(name: str | None, kind: str, _parents: object) -> bool:
    # The search index is a virtual table on SQLite: the models do not describe it.
    return not (kind == "table" and is_index_table(name))


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode copies a table and drops the original; with foreign keys on,
                # that drop would cascade-delete every row pointing at it (messages of
                # users, say). The pragma only takes effect outside a transaction, so it
                # is set and committed before the migrations begin (Alembic's documented
                # way for SQLite), and every key is checked at the end.
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            try:
                await connection.run_sync(_run_sync)
                if sqlite:
                    await connection.run_sync(_check_foreign_keys)
                await connection.commit()
            finally:
                if sqlite:
                    await connection.rollback()
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await connection.commit()
    finally:
        await engine.dispose()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(
            f"migration left {len(broken)} rows pointing nowhere (in {', '.join(tables)}); "
            "restore the backup taken before upgrading"
        )


if context.is_offline_mode():
    _configure()
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
