"""The application factory: routers, error rendering, lifespan, and the web client."""

import functools
import gc
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from parley import __version__
from parley.attachments.router import router as attachments_router
from parley.auth.router import router as auth_router
from parley.auth.schemas import LoginIn
from parley.bodylimit import DeclaredSizeLimit, Limit
from parley.chats.router import router as chats_router
from parley.config import Settings
from parley.errors import DomainError, InvalidInput
from parley.messages.router import router as messages_router
from parley.observability import install as install_observability
from parley.realtime.router import router as realtime_router
from parley.schemas import error_responses
from parley.security_headers import SecurityHeaders
from parley.state import AppState
from parley.users.router import router as users_router

log = logging.getLogger("parley")
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around an upload's bytes


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    state = AppState.create(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.broker.start()
        # Start-up objects live for the whole run: keep the collector from rescanning them
        # (full collections were costing the chat list ~12 ms a request on average).
        gc.freeze()
        try:
            yield
        finally:
            # Clients reconnect (to another node, with `since`) on 1012.
            state.hub.close_all()
            await state.broker.stop()
            await state.engine.dispose()

    app = FastAPI(title="Parley", version=__version__, lifespan=lifespan)
    app.state.parley = state
    # Any route may answer 413 (a declared body too large) or 503 (the database is down).
    everywhere = error_responses(413, 503)
    for router in (auth_router, users_router, chats_router, messages_router, realtime_router):
        # Starlette's limiter counts streamed bodies and answers 413 once past the limit.
        app.include_router(router, max_body_size=settings.max_body_bytes, responses=everywhere)
    app.include_router(
        attachments_router, max_body_size=_upload_body_limit(settings), responses=everywhere
    )
    default_limit = Limit(
        settings.max_body_bytes, f"request body is larger than {settings.max_body_bytes} bytes"
    )
    body_limits = {
        "/attachments": Limit(
            _upload_body_limit(settings),
            f"file is larger than the {settings.max_upload_mb} MB limit",
        )
    }
    _install_error_handlers(app, lambda path: body_limits.get(path, default_limit))
    app.add_middleware(DeclaredSizeLimit, default=default_limit, exceptions=body_limits)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
    )

    @app.get("/healthz", tags=["service"], responses={503: {"description": "Database down"}})
    async def healthz() -> JSONResponse:
        try:
            async with state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to answer means unhealthy; the reason is logged
            # One line, no traceback: probes poll every few seconds through an outage.
            log.warning("health check: database did not answer: %s", exc.__class__.__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    _document_login_body(app)
    app.add_middleware(SecurityHeaders)  # on every answer, errors and the web client included
    install_observability(app, settings)  # outermost middleware; /metrics before the mount
    if (settings.web_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=settings.web_dir, html=True), name="web")
    return app


def _upload_body_limit(settings: Settings) -> int:
    return settings.max_upload_bytes + MULTIPART_OVERHEAD


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


def _allowed_methods(request: Request) -> str | None:
    """The methods the API document lists for this path, or None for undocumented paths.

    Starlette's 405 names only the first matching route's methods (so `GET /chats` and
    `POST /chats` would each deny the other) and the web client's mount says "GET, HEAD"
    for everything. Matching follows OpenAPI: concrete paths before templated ones, so
    `/users/me` is its own resource, not `/users/{user_id}`.
    """
    best: tuple[int, set[str]] | None = None
    for template, operations in request.app.openapi()["paths"].items():
        if _path_pattern(template).fullmatch(request.url.path):
            params = template.count("{")
            if best is None or params < best[0]:
                best = (params, {method.upper() for method in operations})
    if best is None:
        return None
    methods = best[1] | ({"HEAD"} if "GET" in best[1] else set())
    return ", ".join(sorted(methods))


@functools.cache
def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))


def _validation_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors without the offending input, which may not even be encodable."""
    clean = []
    for error in errors:
        clean.append(
            {
                "loc": [part if isinstance(part, int) else str(part) for part in error["loc"]],
                "msg": str(error.get("msg", "invalid value")).encode("utf-8", "replace").decode(),
                "type": str(error.get("type", "value_error")),
            }
        )
    return clean


def _install_error_handlers(app: FastAPI, body_limit: Callable[[str], Limit]) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        detail: Any = exc.errors() if isinstance(exc, InvalidInput) else exc.detail
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_errors(exc.errors())}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 400:
            # Only body parsing raises these (bytes that are not UTF-8, a broken multipart
            # form); the contract answers every malformed body with a 422 in the usual shape.
            detail = [{"loc": ["body"], "msg": str(exc.detail), "type": "body_invalid"}]
            return JSONResponse({"detail": detail}, status_code=422)
        if exc.status_code == 413:
            # A streamed body past the limit (a declared one never gets this far): the
            # same words as DeclaredSizeLimit's.
            return JSONResponse({"detail": body_limit(request.url.path).detail}, status_code=413)
        allowed = _allowed_methods(request) if exc.status_code in (404, 405) else None
        if allowed is not None and request.method not in allowed.split(", "):
            # An API path asked with a method it lacks; without this, the web client's
            # mount at / would answer `GET /auth/login` with its own 404.
            exc = HTTPException(405, headers={**(exc.headers or {}), "Allow": allowed})
        return await http_exception_handler(request, exc)

    async def database_down(_request: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", exc.__class__.__name__)
        return JSONResponse(
            {"detail": "the database is unavailable; try again shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(OperationalError, database_down)
    app.add_exception_handler(PoolTimeout, database_down)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await database_down(request, exc)
        log.exception("database error")
        return JSONResponse({"detail": "internal server error"}, status_code=500)
