"""Prometheus metrics, one set per process (as Prometheus scrapes one process per target).

The realtime code reports through the small functions at the bottom, so it never needs to
know label names; the HTTP middleware reports requests.
"""

import time

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from parley.core.events import Event

# The *_created series double the output and no dashboard reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Chat API calls are milliseconds; uploads and slow clients take seconds.
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Redis hops on a healthy network are sub-millisecond; seconds mean a stalled node.
LAG_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)

HTTP_REQUESTS = Counter(
    "parley_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "parley_http_request_duration_seconds",
    "Time from request to the end of the response, by route template and method.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
OPEN_SOCKETS = Gauge(
    "parley_websocket_connections",
    "Authenticated WebSocket connections open on this node.",
)
WEBSOCKET_SESSIONS = Counter(
    "parley_websocket_sessions",
    "WebSocket sessions ended, by the close code they ended with.",
    ["code"],
)
EVENTS_PUBLISHED = Counter(
    "parley_events_published",
    "Events this node handed to the broker (after their commit), by type.",
    ["type"],
)
MESSAGES_SENT = Counter(
    "parley_messages_sent",
    "Messages stored and published by this node (message.new events).",
)
DELIVERIES = Counter(
    "parley_deliveries",
    "Event frames handed to this node's sockets, by event type.",
    ["type"],
)
PUSHES = Counter(
    "parley_pushes",
    "Web Push attempts by outcome: accepted (2xx), gone (404/410: subscription removed), "
    "refused (other answers), failed (no answer), dropped (the push queue was full).",
    ["outcome"],
)
BROKER_LAG = Histogram(
    "parley_broker_lag_seconds",
    "Redis pub/sub: receive time minus publish time (needs synchronised clocks).",
    buckets=LAG_BUCKETS,
)


def event_published(event: Event) -> None:
    EVENTS_PUBLISHED.labels(event.type).inc()
    if event.type == "message.new":
        MESSAGES_SENT.inc()


def delivered(event: Event, frames: int) -> None:
    if frames:
        DELIVERIES.labels(event.type).inc(frames)


def broker_lag(published_at: float) -> None:
    # Clocks of two machines can disagree a little; a negative lag is really none.
    BROKER_LAG.observe(max(0.0, time.time() - published_at))


def push_outcome(outcome: str, count: int = 1) -> None:
    PUSHES.labels(outcome).inc(count)


def socket_opened() -> None:
    OPEN_SOCKETS.inc()


def socket_closed() -> None:
    OPEN_SOCKETS.dec()
