"""Posting pushes: each one encrypted for its device, posted, retried with backoff.

A message to a large group is hundreds of HTTPS posts. This runs in the push process
(`parley.notifications.process`), never on a node's event loop.
"""

import asyncio
import logging
from collections.abc import Callable
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
POSTS = 16  # requests to push services under way at once, per push process


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
    posts: int = POSTS


class _TryAgain(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Unsendable(Exception):
    """A push that cannot be encrypted for its device (a bad key); never retried."""


def _prepared(vapid: webpush.Vapid, push: Outgoing, topic: str, urgency: str) -> webpush.Prepared:
    try:
        return webpush.prepare(
            vapid, push.endpoint, push.p256dh, push.auth, push.payload, topic=topic, urgency=urgency
        )
    except Exception as exc:
        raise _Unsendable(f"{type(exc).__name__}: {exc}") from exc


class Poster:
    """Encrypts and posts pushes with retries, on the loop that first uses it.

    It runs in the push process (`parley.notifications.process`): its CPU (encryption, the
    HTTP client) is kept off the node's loop and out of its interpreter lock.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._client: httpx.AsyncClient | None = None
        self._posts: asyncio.Semaphore | None = None
        # Pushes handed over that have not yet had their first turn at a post (a push in
        # flight to a slow service, or waiting to retry, is not counted).
        self.backlog = 0
        self._room = asyncio.Event()

    async def room(self) -> None:
        """Wait until fewer pushes wait for a post than can be under way at once.

        Reading the next message's recipients sooner would only queue its pushes behind
        these, and on MySQL/MariaDB its reads share the database with the sends.
        """
        while self.backlog >= self.policy.posts:
            self._room.clear()
            await self._room.wait()

    def _had_turn(self) -> None:
        self.backlog -= 1
        if self.backlog < self.policy.posts:
            self._room.set()

    async def push(self, vapid: webpush.Vapid, pushes: list[Outgoing], topic: str) -> list[Outcome]:
        """Encrypt and post each push (with retries); their outcomes, in order."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.policy.timeout_seconds,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=self.policy.posts * 2),
            )
            self._posts = asyncio.Semaphore(self.policy.posts)
        self.backlog += len(pushes)
        return await asyncio.gather(*(self._push_one(vapid, push, topic) for push in pushes))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _push_one(self, vapid: webpush.Vapid, push: Outgoing, topic: str) -> Outcome:
        """Post to one device, retrying what may pass (network errors, 429, 5xx)."""
        waiting = True  # in the backlog until its first turn at a post, or its end

        def had_turn() -> None:
            nonlocal waiting
            if waiting:
                waiting = False
                self._had_turn()

        try:
            return await self._post(vapid, push, topic, had_turn)
        finally:
            had_turn()

    async def _post(
        self, vapid: webpush.Vapid, push: Outgoing, topic: str, had_turn: Callable[[], None]
    ) -> Outcome:
        assert self._client is not None and self._posts is not None
        policy = self.policy
        refused = await webpush.check_address(push.endpoint, policy.allow_http_loopback)
        if refused:
            return None, refused
        urgency = "high" if push.payload.get("type") == "test" else "normal"
        prepared: webpush.Prepared | None = None
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
                        had_turn()
                        if prepared is None:
                            # Encrypted on its first turn, not when a message's pushes are
                            # handed over: a group's hundreds of encryptions then spread
                            # over its posts instead of taking the CPU in one burst
                            # beside the sends that caused them.
                            prepared = _prepared(vapid, push, topic, urgency)
                        status = await webpush.send(self._client, push.endpoint, prepared)
                    if status == 429 or status >= 500:
                        raise _TryAgain(status)
        except _Unsendable as exc:  # a bad key stored by a client: that device's alone
            log.info("push to subscription %d failed: %s", push.subscription_id, exc)
            return None, str(exc)
        except _TryAgain as exc:
            return exc.status, f"still {exc.status} after {policy.attempts} attempts"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if status >= 400:
            return status, f"refused by the push service ({status})"
        return status, None
