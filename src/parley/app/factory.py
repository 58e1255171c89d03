"""The application factory: one node's parts, the routers, error rendering and the web client."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text

from parley import __version__
from parley.actions import attachments as attachment_actions
from parley.actions import exports as export_actions
from parley.actions import push as push_actions
from parley.actions.context import Context
from parley.app.startup import prepare
from parley.auth.schemas import LoginIn
from parley.config import Settings
from parley.db.database import create_engine
from parley.http import (
    admin,
    attachments,
    auth,
    avatars,
    chats,
    exports,
    invites,
    messages,
    push,
    search,
    users,
)
from parley.http.bodylimit import DeclaredSizeLimit, Limit
from parley.http.errors import install_error_handlers
from parley.http.responses import error_responses
from parley.http.security_headers import SecurityHeaders
from parley.http.web import WebClient, web_root
from parley.observability import install as install_observability
from parley.realtime import router as sockets
from parley.realtime.broker import create_broker
from parley.realtime.hub import Hub

log = logging.getLogger("parley")
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around an upload's bytes


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = prepare(settings or Settings())
    engine = create_engine(settings.effective_database_url, timeout=settings.database_timeout)
    hub = Hub()
    broker = create_broker(settings.redis_url, hub)
    ctx = Context.create(
        settings, engine, broker.publish, hub.online, broker.online_among, broker.nodes_online
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        sweeper = asyncio.create_task(_sweep_attachments(ctx))
        # Its first round runs at once: exports a dead node left under way end as failed.
        export_sweeper = asyncio.create_task(_sweep_exports(ctx))
        ctx.exports.start(lambda ids: export_actions.touch(ctx, ids))
        ctx.push.start(lambda job: push_actions.deliver(ctx, job))
        # Start-up objects live for the whole run: keep the collector from rescanning them
        # (full collections were costing the chat list ~12 ms a request on average).
        gc.freeze()
        try:
            yield
        finally:
            for task in (sweeper, export_sweeper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await ctx.previews.close()  # before the database and broker they use go
            held = await ctx.exports.close()
            try:
                await export_actions.abandon(ctx, held)
            except Exception as exc:  # the sweep of another node (or the next start) will
                log.warning("could not mark %d unfinished exports failed (%s)", len(held), exc)
            await ctx.push.close()
            await ctx.push_process.close()
            # Clients reconnect (to another node, with `since`) on 1012.
            hub.close_all()
            await broker.stop()
            await engine.dispose()

    app = FastAPI(title="Parley", version=__version__, lifespan=lifespan)
    app.state.parley = ctx
    app.state.realtime = sockets.Realtime(hub, broker)
    # Any route may answer 413 (a declared body too large) or 503 (the database is down).
    everywhere = error_responses(413, 503)
    for module in (auth, users, exports, chats, messages, search, push, admin, invites, sockets):
        # Starlette's limiter counts streamed bodies and answers 413 once past the limit.
        app.include_router(
            module.router, max_body_size=settings.max_body_bytes, responses=everywhere
        )
    upload_limit = settings.max_upload_bytes + MULTIPART_OVERHEAD
    app.include_router(attachments.router, max_body_size=upload_limit, responses=everywhere)
    # An avatar is uploaded like an attachment, within the same limit.
    app.include_router(avatars.router, max_body_size=upload_limit, responses=everywhere)
    default_limit = Limit(
        settings.max_body_bytes, f"request body is larger than {settings.max_body_bytes} bytes"
    )
    upload_too_large = Limit(
        upload_limit, f"file is larger than the {settings.max_upload_mb} MB limit"
    )
    body_limits = {"/attachments": upload_too_large, "/users/me/avatar": upload_too_large}

    @app.get("/healthz", tags=["service"], responses={503: {"description": "Database down"}})
    async def healthz() -> JSONResponse:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to answer means unhealthy; the reason is logged
            # One line, no traceback: probes poll every few seconds through an outage.
            log.warning("health check: database did not answer: %s", exc.__class__.__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    install_error_handlers(app, lambda path: body_limits.get(path, default_limit))
    app.add_middleware(DeclaredSizeLimit, default=default_limit, exceptions=body_limits)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
    )
    _document_login_body(app)
    app.add_middleware(SecurityHeaders)  # on every answer, errors and the web client included
    install_observability(app, settings)  # outermost middleware, and /metrics
    if (web := web_root(settings.web_dir)) is not None:
        app.router.default = WebClient(web, app.router.default)
    return app


async def _sweep_attachments(ctx: Context) -> None:
    while True:
        await asyncio.sleep(ctx.settings.attachment_sweep_seconds)
        try:
            removed = await attachment_actions.sweep(ctx)
        except Exception as exc:  # an outage now is no reason to stop sweeping later
            log.warning("attachment sweep failed (%s); trying again later", exc)
            continue
        if removed:
            log.info("removed %d attachment files nobody is shown any more", removed)


async def _sweep_exports(ctx: Context) -> None:
    while True:
        try:
            removed = await export_actions.sweep(ctx)
        except Exception as exc:  # an outage now is no reason to stop sweeping later
            log.warning("export sweep failed (%s); trying again later", exc)
        else:
            if removed:
                log.info("removed %d expired export archives", removed)
        await asyncio.sleep(ctx.settings.export_sweep_seconds)


def _document_login_body(app: FastAPI) -> None:
    """Login reads its body by hand (JSON or form); put its schema where the docs point."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema["components"]["schemas"]["LoginIn"] = LoginIn.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
