"""Every error answer in one shape: ``{"detail": ..., "code": ...}`` with the right status.

422s keep FastAPI's list of ``{loc, msg, type}`` in ``detail``; the codes are the error
catalogue's (`parley.core.errors`), the same words socket ``error`` frames use.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException

from parley.core.errors import (
    DATABASE_ERRORS,
    UNAVAILABLE_DETAIL,
    DomainError,
    code_for,
    database_unavailable,
)
from parley.http.bodylimit import Limit

log = logging.getLogger("parley")


def error_body(detail: Any, code: str) -> dict[str, Any]:
    return {"detail": detail, "code": code}


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


def _methods_by_path(app: FastAPI) -> dict[str, str]:
    """Each API path's methods over all its routes, for the Allow header of a 405.

    Starlette names only the first matching route's methods, so `DELETE /chats` would be
    told GET alone although POST /chats exists too.
    """
    methods: dict[str, set[str]] = defaultdict(set)
    for context in iter_route_contexts(app.routes):  # through included routers too
        route = context.original_route
        if isinstance(route, APIRoute):
            methods[route.path] |= route.methods or set()
    return {path: ", ".join(sorted(names)) for path, names in methods.items()}


def install_error_handlers(app: FastAPI, body_limit: Callable[[str], Limit]) -> None:
    """Call once every router is included: the Allow headers are read off the routes."""
    allowed = _methods_by_path(app)

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        body = error_body(exc.details(), exc.code)
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body(_validation_errors(exc.errors()), code_for(422))
        return JSONResponse(body, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        status, headers = exc.status_code, exc.headers
        detail: Any = exc.detail
        if status == 400:
            # Only body parsing raises these (bytes that are not UTF-8, a broken multipart
            # form); the contract answers every malformed body with a 422 in the usual shape.
            status, detail = 422, [{"loc": ["body"], "msg": str(detail), "type": "body_invalid"}]
        elif status == 413:
            # A streamed body past the limit (a declared one never gets this far): the
            # same words as DeclaredSizeLimit's.
            detail = body_limit(request.url.path).detail
        elif status == 405:
            route = request.scope.get("route")
            path = getattr(route, "path", None)
            if path in allowed:
                headers = {**(headers or {}), "Allow": allowed[path]}
        return JSONResponse(error_body(detail, code_for(status)), status, headers=headers)

    async def database_error(_request: Request, exc: Exception) -> JSONResponse:
        if not database_unavailable(exc):
            log.exception("database error", exc_info=exc)
            return JSONResponse(error_body("internal server error", code_for(500)), 500)
        log.error("database unavailable: %s", exc.__class__.__name__)
        return JSONResponse(
            error_body(UNAVAILABLE_DETAIL, code_for(503)),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, database_error)
