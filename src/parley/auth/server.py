"""The server's one settings row, and the lock that makes "the first account" exact."""

from sqlalchemy import exists, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from parley.db.models import ServerSettings, User

SETTINGS_ID = 1


async def settings(session: AsyncSession) -> ServerSettings:
    """The row, read without locking (it is made by migration 0009)."""
    row = await session.get(ServerSettings, SETTINGS_ID)
    if row is None:  # only if someone deleted it: behave as a fresh server
        row = ServerSettings(id=SETTINGS_ID, email_required=True)
        session.add(row)
        await session.flush()
    return row


async def lock(session: AsyncSession) -> ServerSettings:
    """Take the settings row for the rest of this unit of work.

    Decisions that count accounts (is this the first? is this the last admin?) are made
    while holding it, so racing ones are made one after the other. The no-op UPDATE is a
    row lock on MariaDB and, being a write, takes Parley's SQLite write lock
    (db/write_lock.py) at once, before anything is read.
    """
    result = await session.execute(
        update(ServerSettings)
        .where(ServerSettings.id == SETTINGS_ID)
        .values(id=ServerSettings.id)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount == 0:
        return await settings(session)
    row = await session.scalar(
        select(ServerSettings)
        .where(ServerSettings.id == SETTINGS_ID)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def has_accounts(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().where(User.id.is_not(None)))))


async def set_email_required(session: AsyncSession, required: bool) -> ServerSettings:
    row = await lock(session)
    row.email_required = required
    await session.flush()
    return row
