"""Logs, request ids and Prometheus metrics: `install(app, settings)` wires them into an app.

Logging itself is configured by the process's entry point (`parley serve`), with
`logs.logging_config(...)`, because it belongs to the process, not to one app.
"""

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from parley.config import Settings
from parley.observability.middleware import Observe


def install(app: FastAPI, settings: Settings) -> None:
    """Add `/metrics` and the request-id/metrics/access-log middleware (outermost).

    Call it after the other middleware and before mounting the web client at `/`, which
    would otherwise shadow `/metrics`.
    """

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # Prometheus text format; scrape each node directly, not through the proxy.
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(Observe)
