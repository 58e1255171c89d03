"""Exporting my account: the request, the background job, its progress, and the sweep.

`start` only writes the queued row (or answers with the one of mine already under way);
once that has committed, the node's runner (`parley.exports.runner`, held by the Context)
builds the archive in the background: each step that changes the row is a unit of work
of its own that records `export.progress` for my sockets, so the event goes out only
once the row it describes is durable. The archive goes into the attachment storage, so
any node behind the load balancer can serve it.
"""

import logging
import os
import secrets
import tempfile
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.actions.events import ExportProgress
from parley.core.events import on_commit, record
from parley.db.models import Export, User
from parley.db.types import utcnow
from parley.exports import archive, service
from parley.exports.schemas import ExportOut

log = logging.getLogger("parley.exports")
NOT_BUILT = "the archive could not be built; try again later"
NOT_STORED = "the archive could not be stored; try again later"
STOPPED = "the server stopped while building this export; start a new one"


def _announce(session: AsyncSession, ctx: Context, export: Export) -> None:
    event = ExportProgress(export=service.view(export, ctx.links))
    record(session, event.to([export.user_id]))


async def start(session: AsyncSession, ctx: Context, me: User) -> ExportOut:
    """Queue an export of my account; while one of mine is queued or running, that one."""
    user_id = me.id  # read before a raced insert's rollback expires the object
    export, created = await service.start(session, user_id)
    if created:
        _announce(session, ctx, export)
        export_id = export.id
        on_commit(
            session, lambda: ctx.exports.spawn(export_id, lambda: run(ctx, export_id, user_id))
        )
    return service.view(export, ctx.links)


async def mine(session: AsyncSession, ctx: Context, me: User) -> list[ExportOut]:
    now = utcnow()
    return [service.view(e, ctx.links, now) for e in await service.mine(session, me.id)]


async def get(session: AsyncSession, ctx: Context, me: User, export_id: int) -> ExportOut:
    return service.view(await service.get_mine(session, me.id, export_id), ctx.links)


async def run(ctx: Context, export_id: int, user_id: int) -> None:
    """Build, store and announce one export; any failure ends it as "failed", in words."""

    async def claim(session: AsyncSession, _shared: bool) -> bool:
        export = await service.claim(session, export_id)
        if export is not None:
            _announce(session, ctx, export)
        return export is not None

    if not await ctx.units.write(claim):
        return  # no longer queued (marked failed meanwhile): nothing to build

    async def report(fraction: float) -> None:
        async def job(session: AsyncSession, _shared: bool) -> None:
            export = await service.set_progress(session, export_id, fraction)
            if export is not None:
                _announce(session, ctx, export)

        await ctx.units.write(job)

    key = f"exports/{export_id}/{secrets.token_hex(16)}.zip"
    stored, error = False, NOT_BUILT
    try:
        workdir = ctx.settings.data_dir / "tmp"
        workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=workdir) as out:
            await archive.build(ctx.units.sessionmaker, ctx.storage, user_id, out, workdir, report)
            size = os.fstat(out.fileno()).st_size
            out.seek(0)
            error = NOT_STORED
            await ctx.storage.put(key, out, "application/zip")
            stored = True

        async def finish(session: AsyncSession, _shared: bool) -> bool:
            export = await service.finish(
                session, export_id, key, size, ctx.settings.export_link_seconds
            )
            if export is not None:
                _announce(session, ctx, export)
            return export is not None

        if not await ctx.units.write(finish):
            await ctx.storage.delete(key)  # failed meanwhile (the node was given up for dead)
    except Exception:
        log.exception("export %d failed", export_id)
        if stored:
            try:
                await ctx.storage.delete(key)
            except Exception:  # the file is orphaned; the failure below matters more
                log.warning("could not delete the archive of failed export %d", export_id)
        await _fail(ctx, export_id, error)


async def _fail(ctx: Context, export_id: int, error: str) -> None:
    async def job(session: AsyncSession, _shared: bool) -> None:
        export = await service.fail(session, export_id, error)
        if export is not None:
            _announce(session, ctx, export)

    await ctx.units.write(job)


async def touch(ctx: Context, export_ids: frozenset[int]) -> None:
    """This node still holds these exports (the runner's heartbeat)."""

    async def job(session: AsyncSession, _shared: bool) -> None:
        await service.touch(session, export_ids)

    await ctx.units.write(job)


async def abandon(ctx: Context, export_ids: frozenset[int]) -> None:
    """At shutdown: the exports this node was building end as failed, in words."""
    for export_id in sorted(export_ids):
        await _fail(ctx, export_id, STOPPED)


async def sweep(ctx: Context, now: datetime | None = None) -> int:
    """Delete archives past their expiry, and fail exports whose node died.

    Run at start-up and then periodically, by every node at once: the rows change in one
    unit of work, the files go only after it commits, and deleting a file twice is
    harmless.
    """

    async def job(session: AsyncSession, _shared: bool) -> list[str]:
        for export in await service.fail_abandoned(
            session, ctx.settings.export_stale_seconds, STOPPED, now
        ):
            _announce(session, ctx, export)
        return await service.sweep(session, now)

    keys = await ctx.units.write(job)
    for key in keys:
        await ctx.storage.delete(key)
    return len(keys)
