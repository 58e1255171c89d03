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
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure()
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
