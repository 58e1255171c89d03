"""Logs, request ids and metrics: JSON lines with request ids and no tokens, and counters
that move when requests, sockets, messages and Redis hops happen."""

import asyncio
import json
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from parley.actions.events import Typing
from parley.observability.logs import JsonFormatter, TextFormatter, redact, request_id
from parley.realtime.broker import _decode, _encode
from tests.nodes import Node, RedisServer, free_port
from tests.sockets import open_socket
from tests.support import PASSWORD, Api, RunningServer, serve, test_settings

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwic2lkIjoyfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


# --- metrics helpers ---------------------------------------------------------------


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- request ids -------------------------------------------------------------------


async def test_request_id_is_returned_kept_or_made(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        given = await client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b"})
        assert given.headers["x-request-id"] == "trace-42.a:b"
        made = await client.get("/healthz")
        assert len(made.headers["x-request-id"]) == 32
        assert (
            made.headers["x-request-id"] != (await client.get("/healthz")).headers["x-request-id"]
        )
        # Not an id (spaces, too long): replaced, so nothing odd reaches the logs.
        for bad in ("two words", "x" * 200):
            r = await client.get("/healthz", headers={"X-Request-ID": bad})
            assert r.headers["x-request-id"] != bad and len(r.headers["x-request-id"]) == 32
        # Errors carry it too, and browsers may read it (CORS).
        r = await client.get(
            "/chats", headers={"X-Request-ID": "rid-401", "Origin": "http://localhost:5173"}
        )
        assert r.status_code == 401 and r.headers["x-request-id"] == "rid-401"
        assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
        user = await Api(client).user()
    async with open_socket(
        server.ws_url, user.token, additional_headers={"X-Request-ID": "ws-rid-1"}
    ) as sock:
        assert sock.ws.response is not None
        assert sock.ws.response.headers["x-request-id"] == "ws-rid-1"


# --- metrics -----------------------------------------------------------------------


async def test_metrics_count_requests_sockets_messages_and_deliveries(
    server: RunningServer, api: Api
) -> None:
    client = api.client
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    before = await scrape(client)
    async with (
        open_socket(server.ws_url, alice.token) as sa,
        open_socket(server.ws_url, bob.token) as sb,
    ):
        for sock in (sa, sb):
            await sock.send({"type": "ping"})
            await sock.next("pong")
        during = await scrape(client)
        assert (
            value(during, "parley_websocket_connections")
            == value(before, "parley_websocket_connections") + 2
        )
        sent = await alice.say(chat["id"], "counted")
        assert (await sb.next("message.new"))["message"]["id"] == sent["id"]
        await sa.next("message.new")
        for _ in range(3):
            r = await alice.get(f"/chats/{chat['id']}/messages")
            assert r.status_code == 200
        after = await scrape(client)
    assert (
        value(after, "parley_messages_sent_total")
        == value(before, "parley_messages_sent_total") + 1
    )
    assert (
        value(after, "parley_events_published_total", type="message.new")
        == value(before, "parley_events_published_total", type="message.new") + 1
    )
    # Both members' sockets were handed the frame.
    assert (
        value(after, "parley_deliveries_total", type="message.new")
        == value(before, "parley_deliveries_total", type="message.new") + 2
    )
    # Requests are labelled by route template, not by raw path (bounded cardinality).
    route = {"method": "GET", "route": "/chats/{chat_id}/messages"}
    assert (
        value(after, "parley_http_requests_total", status="200", **route)
        == value(before, "parley_http_requests_total", status="200", **route) + 3
    )
    assert (
        value(after, "parley_http_request_duration_seconds_count", **route)
        == value(before, "parley_http_request_duration_seconds_count", **route) + 3
    )
    assert not any(
        name == "parley_http_requests_total" and str(chat["id"]) in dict(labels).get("route", "")
        for name, labels in after
    )
    post = {"method": "POST", "route": "/chats/{chat_id}/messages", "status": "201"}
    assert (
        value(after, "parley_http_requests_total", **post)
        >= value(before, "parley_http_requests_total", **post) + 1
    )
    # Closed sockets leave the gauge, and their sessions are counted by close code.
    gauge, sessions = "parley_websocket_connections", "parley_websocket_sessions_total"
    for _ in range(250):
        now = await scrape(client)
        if value(now, gauge) == value(before, gauge) and value(now, sessions, code="1000") == (
            value(before, sessions, code="1000") + 2
        ):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("closed sockets were not accounted for")


async def test_unknown_paths_share_one_label(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        for i in range(3):
            assert (await client.get(f"/no/such/path/{i}")).status_code == 404
        samples = await scrape(client)
    assert (
        value(samples, "parley_http_requests_total", method="GET", route="unmatched", status="404")
        >= 3
    )
    assert not any("/no/such" in dict(labels).get("route", "") for _, labels in samples)


@pytest.fixture
async def redis_node(
    database_url: str, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[RunningServer]:
    async with serve(test_settings(database_url, tmp_path, redis_url=redis_server.url)) as running:
        yield running


def test_broker_events_carry_their_publish_time() -> None:
    payload = {"type": "typing", "chat_id": 3, "user_id": 1}
    event = Typing(chat_id=3, user_id=1).to({1, 2})
    decoded, published_at = _decode(_encode(event))
    assert decoded == event
    assert published_at is not None and abs(published_at - time.time()) < 5
    # Events from a node that predates the timestamp still decode.
    legacy, when = _decode(json.dumps({"p": payload, "r": [1, 2], "c": 3}))
    assert legacy == event and when is None


async def test_broker_lag_is_observed_over_redis(
    redis_node: RunningServer, database_url: str
) -> None:
    async with httpx.AsyncClient(base_url=redis_node.base_url) as client:
        before = await scrape(client)
        api = Api(client)
        alice, bob = await api.user(), await api.user()
        chat = await alice.direct_chat(bob)
        async with open_socket(redis_node.ws_url, bob.token) as sb:
            await sb.send({"type": "ping"})
            await sb.next("pong")
            for i in range(5):
                await alice.say(chat["id"], f"over redis {i}")
                await sb.next("message.new")
        after = await scrape(client)
    count = "parley_broker_lag_seconds_count"
    assert value(after, count) >= value(before, count) + 5
    lag = value(after, "parley_broker_lag_seconds_sum") - value(
        before, "parley_broker_lag_seconds_sum"
    )
    assert 0 <= lag < 5  # loopback Redis: milliseconds, not seconds
    assert value(after, "parley_broker_lag_seconds_bucket", le="+Inf") == value(after, count)


# --- logs --------------------------------------------------------------------------


def test_redact_scrubs_every_form_of_credential() -> None:
    line = (
        f"GET /ws?since=4&token={JWT}&x=1 Authorization: Bearer abc.def-ghi "
        '{"refresh_token": "r3fr3sh", "password": "hunter2hunter2"} /ws?access_token=plain'
    )
    out = redact(line)
    for secret in (JWT, "abc.def-ghi", "r3fr3sh", "hunter2hunter2", "plain"):
        assert secret not in out
    assert "/ws?since=4&token=[redacted]&x=1" in out
    assert redact(f"bare {JWT} token") == "bare [redacted] token"


def test_formatters_stamp_request_ids_and_redact_tracebacks() -> None:
    def record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
        exc_info = None
        if exc:
            try:
                raise ValueError(f"bad token {JWT}")
            except ValueError:
                exc_info = sys.exc_info()
        return logging.LogRecord("parley.test", logging.ERROR, __file__, 1, msg, args, exc_info)

    reset = request_id.set("rid-7")
    try:
        text = TextFormatter().format(record("socket %s", f"/ws?token={JWT}", exc=True))
        data = json.loads(JsonFormatter().format(record("socket %s", f"/ws?token={JWT}", exc=True)))
    finally:
        request_id.reset(reset)
    assert "[rid-7]" in text and JWT not in text and "ValueError" in text
    assert data["request_id"] == "rid-7" and data["level"] == "error"
    assert data["message"] == "socket /ws?token=[redacted]"
    assert "ValueError" in data["exc"] and JWT not in data["exc"]
    extra = record("with extras")
    extra.status = 201
    assert json.loads(JsonFormatter().format(extra))["status"] == 201


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PARLEY_DATA_DIR": str(tmp_path),
        "PARLEY_WEB_DIR": str(tmp_path / "no-web"),
        "PARLEY_SECRET_KEY": "observability-test-" + "z" * 32,
        "PARLEY_PASSWORD_TIME_COST": "1",
        "PARLEY_PASSWORD_MEMORY_KIB": "8192",
        **extra,
    }


async def test_json_logs_have_request_ids_and_never_a_token(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    node = Node(free_port(), _env(tmp_path, PARLEY_LOG_FORMAT="json", PARLEY_LOG_LEVEL="info"), log)
    node.start()
    secrets: list[str] = [PASSWORD]
    try:
        async with httpx.AsyncClient(base_url=node.base_url) as client:
            user = await Api(client).user()
            secrets += [user.token, user.refresh_token]
            me = await client.get(
                "/auth/me", headers={**user.headers, "X-Request-ID": "trace-me-1"}
            )
            assert me.status_code == 200 and me.headers["x-request-id"] == "trace-me-1"
            async with open_socket(
                node.ws_url, user.token, since=0, additional_headers={"X-Request-ID": "trace-ws-1"}
            ) as sock:
                await sock.send({"type": "ping"})
                await sock.next("pong")
            r = await client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
            assert r.status_code == 200
            secrets += [r.json()["access_token"], r.json()["refresh_token"]]
            # A token in the query of a plain HTTP request is scrubbed too.
            await client.get(f"/chats?token={user.token}")
    finally:
        node.stop(signal.SIGTERM)
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    for secret in secrets:
        assert secret not in text, "a credential reached the log"
    access = [entry for entry in lines if entry["logger"] == "parley.access"]
    me_line = next(e for e in access if e.get("path") == "/auth/me")
    assert me_line["request_id"] == "trace-me-1"
    assert (
        me_line["status"] == 200 and me_line["route"] == "/auth/me" and me_line["duration_ms"] >= 0
    )
    ws_lines = [e for e in lines if e.get("request_id") == "trace-ws-1"]
    # uvicorn's own "WebSocket ... [accepted]" line and Parley's close line, both scrubbed.
    assert any(
        "[accepted]" in e["message"] and "token=[redacted]" in e["message"] for e in ws_lines
    )
    closed = next(e for e in ws_lines if e["logger"] == "parley.access")
    assert closed["close_code"] == 1000 and closed["path"] == "/ws?token=[redacted]&since=0"
    assert any(e["logger"] == "parley.cli" and "serving" in e["message"] for e in lines)
    assert all({"ts", "level", "logger", "message"} <= set(e) for e in lines)


async def test_text_logs_are_for_people_and_scrubbed_too(tmp_path: Path) -> None:
    log = tmp_path / "node.log"
    node = Node(free_port(), _env(tmp_path, PARLEY_LOG_LEVEL="info"), log)
    node.start()
    try:
        async with httpx.AsyncClient(base_url=node.base_url) as client:
            user = await Api(client).user()
            async with open_socket(node.ws_url, user.token) as sock:
                await sock.send({"type": "ping"})
                await sock.next("pong")
    finally:
        node.stop(signal.SIGTERM)
    text = log.read_text()
    assert user.token not in text and user.refresh_token not in text
    assert '"WebSocket /ws?token=[redacted]" [accepted]' in text
    assert " INFO parley.access [" in text and "POST /auth/login 200" in text


# --- graceful shutdown -------------------------------------------------------------


async def test_sigterm_drains_requests_in_flight_and_closes_sockets_with_1012(
    tmp_path: Path,
) -> None:
    """A request still arriving when SIGTERM comes is finished; sockets get 1012."""
    node = Node(free_port(), _env(tmp_path, PARLEY_LOG_LEVEL="info"), tmp_path / "node.log")
    node.start()
    assert node.process is not None
    process = node.process
    async with httpx.AsyncClient(base_url=node.base_url, timeout=30) as client:
        user = await Api(client).user()
        async with open_socket(node.ws_url, user.token) as sock:
            await sock.send({"type": "ping"})
            await sock.next("pong")
            body = json.dumps(
                {"username": "latecomer", "email": "late@example.com", "password": PASSWORD}
            ).encode()
            started = asyncio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                yield body[:10]
                started.set()
                await asyncio.sleep(1.5)  # SIGTERM arrives meanwhile
                yield body[10:]

            request = asyncio.create_task(
                client.post(
                    "/auth/register",
                    content=slow_body(),
                    headers={"Content-Type": "application/json"},
                )
            )
            await started.wait()
            await asyncio.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            assert await sock.close_code(within=10) == 1012
            response = await request
            assert response.status_code == 201, response.text
    # uvicorn re-raises the signal once it has shut down cleanly, so the exit reads SIGTERM.
    assert await asyncio.to_thread(process.wait, 20) in (0, -signal.SIGTERM)
    node.process = None
    log = (tmp_path / "node.log").read_text()
    assert "Waiting for connections to close" in log
    assert "Application shutdown complete" in log and "Finished server process" in log


def test_metrics_is_not_in_the_api_schema(tmp_path: Path) -> None:
    from parley.app import create_app

    app = create_app(test_settings("sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path))
    assert "/metrics" not in app.openapi()["paths"]
    assert any(getattr(r, "path", None) == "/metrics" for r in app.routes)
