"""Test helpers: real servers on loopback, throwaway databases, and a small API client."""

import asyncio
import concurrent.futures
import os
import secrets
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from parley.app import create_app
from parley.app.commands import socket_options
from parley.config import Settings
from parley.db import migrate
from parley.db.database import create_engine
from parley.db.models import Base
from parley.messages.search_index import INDEX

MYSQL_SERVER_URL = os.environ.get("PARLEY_TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306")
BACKENDS_FOR_TESTS = os.environ.get("PARLEY_TEST_BACKENDS", "sqlite,mariadb").split(",")
# Every table, children before parents, so emptying them in this order never orphans a row.
# The search index (made by migrations, not models) first: it points at messages.
TABLES = (INDEX, *(table.name for table in reversed(Base.metadata.sorted_tables)))
PASSWORD = "correct horse battery"


@asynccontextmanager
async def mariadb_database() -> AsyncIterator[str]:
    """A new, empty utf8mb4 database on the local MariaDB, dropped afterwards."""
    name = f"parley_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(MYSQL_SERVER_URL + "/")
    async with admin.connect() as conn:
        await conn.execute(
            text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        )
    try:
        yield f"{MYSQL_SERVER_URL}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        await admin.dispose()


async def migrate_to_head(url: str) -> None:
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(migrate.upgrade, url)


async def empty_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "mysql":
                await conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
                for table in TABLES:
                    await conn.execute(text(f"TRUNCATE TABLE {table}"))
                await conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
            else:
                for table in TABLES:
                    await conn.execute(text(f"DELETE FROM {table}"))
            # The one settings row (made by migration 0009) comes back with its defaults.
            await conn.execute(
                text("INSERT INTO server_settings (id, email_required) VALUES (1, 1)")
            )
    finally:
        await engine.dispose()


async def eventually(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``predicate()`` holds; fail after ``within`` seconds."""
    for _ in range(int(within / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


def free_socket(send_buffer: int | None = None) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if send_buffer is not None:
        # Inherited by accepted connections (and it turns off autotuning up to megabytes).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: no Nagle delay between a response's head and body.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class RunningServer:
    app: FastAPI
    base_url: str
    settings: Settings

    @property
    def ws_url(self) -> str:
        return "ws" + self.base_url.removeprefix("http")


@asynccontextmanager
async def serve(settings: Settings, send_buffer: int | None = None) -> AsyncIterator[RunningServer]:
    """Run the real app under uvicorn on a loopback port, in this event loop."""
    app = create_app(settings)
    sock = free_socket(send_buffer)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=os.environ.get("PARLEY_TEST_LOG", "warning"),
        lifespan="on",
        **socket_options(settings),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield RunningServer(app, f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextmanager
def serve_in_thread(settings: Settings) -> Iterator[RunningServer]:
    """`serve`, on an event loop of its own in a thread: for blocking clients in sync tests."""
    ready: concurrent.futures.Future[RunningServer] = concurrent.futures.Future()
    stop = threading.Event()

    async def run() -> None:
        try:
            async with serve(settings) as running:
                ready.set_result(running)
                await asyncio.to_thread(stop.wait)
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="parley-server")
    thread.start()
    try:
        yield ready.result(timeout=60)
    finally:
        stop.set()
        thread.join(60)


def test_settings(database_url: str, data_dir: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-" + "x" * 40,
        "login_attempts": 10_000,
        "messages_per_window": 10_000,
        # Every test client comes from 127.0.0.1: per-address limits would add up across tests.
        "registrations_per_address": 100_000,
        "messages_per_address": 100_000,
        "uploads_per_address": 100_000,
        # Still argon2id, at the lowest cost, so hundreds of test users take seconds.
        "password_time_cost": 1,
        "password_memory_kib": 8 * 1024,
        "web_dir": data_dir / "no-web-build",
        # No test server fetches links on its own; tests/test_link_previews.py turns it on.
        "link_previews": False,
        # Nor pushes: their worker's queries would run beside other tests' counted ones;
        # tests/test_push.py turns it on.
        "web_push": False,
    }
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@dataclass
class User:
    id: int
    username: str
    email: str
    token: str
    refresh_token: str
    client: httpx.AsyncClient = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers, **kw)

    async def patch(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.patch(path, headers=self.headers, **kw)

    async def put(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.put(path, headers=self.headers, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers, **kw)

    async def direct_chat(self, other: "User") -> dict[str, Any]:
        r = await self.post("/chats", json={"is_group": False, "member_ids": [other.id]})
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    async def group(self, title: str, *members: "User") -> dict[str, Any]:
        r = await self.post(
            "/chats", json={"is_group": True, "title": title, "member_ids": [m.id for m in members]}
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def say(self, chat_id: int, content: str, **extra: Any) -> dict[str, Any]:
        r = await self.post(f"/chats/{chat_id}/messages", json={"content": content, **extra})
        assert r.status_code == 201, r.text
        return dict(r.json())


class Api:
    """An HTTP client for one server, with shortcuts to make users."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def user(self, name: str | None = None, display_name: str | None = None) -> User:
        name = name or f"u{uuid.uuid4().hex[:10]}"
        email = f"{name}@example.com"
        body: dict[str, Any] = {"username": name, "email": email, "password": PASSWORD}
        if display_name:
            body["display_name"] = display_name
        r = await self.client.post("/auth/register", json=body)
        assert r.status_code == 201, r.text
        user_id = r.json()["id"]
        r = await self.client.post("/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()
        return User(
            user_id, name, email, token["access_token"], token["refresh_token"], self.client
        )
