"""Start-up checks with answers a person can act on, instead of a hang or a traceback.

`parley serve` (and `migrate`/`seed`) wait up to `PARLEY_STARTUP_TIMEOUT` seconds for the
database and Redis: under compose or systemd they may still be starting, and a server that
accepts connections but never answers must not hang start-up forever.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import AuthenticationError, RedisError, ResponseError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from parley.db.database import create_engine

RETRY_EVERY = 1.0  # seconds between attempts
# MySQL errors that waiting will not fix: bad user/password, no such database.
_MYSQL_FINAL = {1044, 1045, 1049, 1698}


class StartupError(Exception):
    """Why Parley cannot start, in words (printed without a traceback)."""


def redact_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True) if "://" in url else url


def wait_for_database(url: str, timeout: float) -> None:
    async def attempt() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    errors = (OperationalError, InterfaceError, DBAPIError, OSError)
    asyncio.run(_retry(attempt, errors, timeout, f"the database at {redact_url(url)}"))


def wait_for_redis(url: str, timeout: float) -> None:
    async def attempt() -> None:
        client = redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            await client.ping()
        finally:
            await client.aclose()

    asyncio.run(
        _retry(attempt, (RedisError, OSError, ValueError), timeout, f"Redis at {redact_url(url)}")
    )


async def _retry(
    attempt: Callable[[], Awaitable[None]],
    errors: tuple[type[BaseException], ...],
    within: float,
    what: str,
) -> None:
    deadline = time.monotonic() + within
    last = "no answer"
    while True:
        left = deadline - time.monotonic()
        try:
            await asyncio.wait_for(attempt(), timeout=max(left, 0.1))
            return
        except TimeoutError:
            last = "it accepted the connection but did not answer"
        except errors as exc:
            last = _reason(exc)
            if _final(exc):
                raise StartupError(f"cannot use {what}: {last}") from None
        if time.monotonic() + RETRY_EVERY >= deadline:
            raise StartupError(f"cannot reach {what} within {within:g}s: {last}")
        await asyncio.sleep(RETRY_EVERY)


def _final(exc: BaseException) -> bool:
    """A refusal (credentials, missing database) rather than a server not up yet."""
    if isinstance(exc, AuthenticationError | ResponseError):
        return True
    orig = getattr(exc, "orig", None)
    code = orig.args[0] if orig is not None and orig.args else None
    return code in _MYSQL_FINAL


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip() or exc.__class__.__name__
