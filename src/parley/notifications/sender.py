"""Posting pushes from a thread of their own, with its own event loop and HTTP client.

A message to a large group is hundreds of HTTPS posts, each encrypted for its device.
Run on the node's event loop, their CPU (encryption, the HTTP client) sat between the
steps of every send answered meanwhile (bench/push_bench.py measured sends 5x slower
while a group's pushes went out). Here they run on a loop in another thread: the node's
loop hands over a message's pushes in one call and awaits their outcomes, and the
database work around them (who, what, the delivery log) stays on the node's loop.
"""

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from parley.notifications import webpush

log = logging.getLogger("parley.push")

# A push's outcome: the push service's status (None: no answer) and what went wrong.
Outcome = tuple[int | None, str | None]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One push to one device."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Policy:
    timeout_seconds: float
    attempts: int  # per device and message
    backoff_seconds: float  # the first wait; then doubling
    allow_http_loopback: bool  # tests only: a push service on this machine
    posts: int = 16  # requests to push services under way at once


class _TryAgain(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class PushSender:
    """Pushes out of the caller's event loop; started on first use, stopped by close()."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._posts: asyncio.Semaphore | None = None
        self._lock = threading.Lock()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is not None:
                return self._loop
            ready = threading.Event()
            loop = asyncio.new_event_loop()

            def run() -> None:
                asyncio.set_event_loop(loop)
                # Made on the loop that uses them.
                self._client = httpx.AsyncClient(
                    timeout=self.policy.timeout_seconds,
                    follow_redirects=False,
                    limits=httpx.Limits(max_connections=self.policy.posts * 2),
                )
                self._posts = asyncio.Semaphore(self.policy.posts)
                loop.call_soon(ready.set)
                loop.run_forever()
                loop.close()

            self._thread = threading.Thread(target=run, name="parley-push-sender", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
            return loop

    async def push(self, vapid: webpush.Vapid, pushes: list[Outgoing], topic: str) -> list[Outcome]:
        """Encrypt and post each push (with retries); their outcomes, in order."""
        loop = self._start()
        future = asyncio.run_coroutine_threadsafe(self._push_all(vapid, pushes, topic), loop)
        return await asyncio.wrap_future(future)

    async def close(self) -> None:
        """Stop the thread (pushes under way are cancelled: a push is best-effort)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        done: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(
            self._shutdown(), loop
        )
        await asyncio.wrap_future(done)
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join)

    async def _shutdown(self) -> None:
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    # --- on the sender's loop -------------------------------------------------------------

    async def _push_all(
        self, vapid: webpush.Vapid, pushes: list[Outgoing], topic: str
    ) -> list[Outcome]:
        return await asyncio.gather(*(self._push_one(vapid, push, topic) for push in pushes))

    async def _push_one(self, vapid: webpush.Vapid, push: Outgoing, topic: str) -> Outcome:
        """Post to one device, retrying what may pass (network errors, 429, 5xx)."""
        assert self._client is not None and self._posts is not None
        policy = self.policy
        refused = await webpush.check_address(push.endpoint, policy.allow_http_loopback)
        if refused:
            return None, refused
        urgency = "high" if push.payload.get("type") == "test" else "normal"
        try:
            prepared = webpush.prepare(
                vapid,
                push.endpoint,
                push.p256dh,
                push.auth,
                push.payload,
                topic=topic,
                urgency=urgency,
            )
        except Exception as exc:  # a bad key stored by a client: that device's problem alone
            log.info("push to subscription %d failed: %s", push.subscription_id, exc)
            return None, f"{type(exc).__name__}: {exc}"
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            # Doubling from backoff_seconds, capped, each wait spread by up to as much again.
            wait=wait_exponential_jitter(
                multiplier=policy.backoff_seconds,
                max=policy.backoff_seconds * 30,
                jitter=policy.backoff_seconds,
            ),
            retry=retry_if_exception_type((_TryAgain, httpx.TransportError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with self._posts:  # not held through the backoff's waits
                        status = await webpush.send(self._client, push.endpoint, prepared)
                    if status == 429 or status >= 500:
                        raise _TryAgain(status)
        except _TryAgain as exc:
            return exc.status, f"still {exc.status} after {policy.attempts} attempts"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if status >= 400:
            return status, f"refused by the push service ({status})"
        return status, None
