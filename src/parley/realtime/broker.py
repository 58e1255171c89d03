"""Carries events and presence to every node: in-process by default, Redis when configured.

The database is the source of truth and pub/sub is best-effort: when Redis is away each
node still serves its own users, and when it returns every local socket is closed with
1012 so its client reconnects with ``since`` and catches up on what crossed nodes meanwhile.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import RedisError

from parley.core.events import Event
from parley.observability import metrics
from parley.realtime.hub import Hub

log = logging.getLogger("parley.realtime")
Dispatch = Callable[[Event], Awaitable[None]]
CHANNEL = "parley:events"
PRESENCE_TTL = 45  # seconds a node's claim that a user is online lasts without renewal
NODE_PREFIX = "parley:node:"  # one key per serving node, expiring like presence


class Broker(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, event: Event) -> None: ...

    async def arrive(self, user_id: int, first_here: bool) -> bool:
        """Note a user's socket; True when the user has just come online anywhere."""
        ...

    async def leave(self, user_id: int, last_here: bool) -> bool:
        """Note a closed socket; True when the user is now offline everywhere."""
        ...

    async def online_among(self, user_ids: frozenset[int]) -> set[int]:
        """Which of ``user_ids`` hold a live socket on any node (asked, not remembered)."""
        ...

    async def nodes_online(self) -> int:
        """How many nodes are serving (for the admin's server page)."""
        ...


class MemoryBroker:
    """One node: publishing is handing the event to this node's hub."""

    def __init__(self, dispatch: Dispatch, local_users: Callable[[], set[int]]) -> None:
        self._dispatch = dispatch
        self._local_users = local_users

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: Event) -> None:
        metrics.event_published(event)
        await self._dispatch(event)

    async def arrive(self, user_id: int, first_here: bool) -> bool:
        return first_here

    async def leave(self, user_id: int, last_here: bool) -> bool:
        return last_here

    async def online_among(self, user_ids: frozenset[int]) -> set[int]:
        return set(user_ids) & self._local_users()

    async def nodes_online(self) -> int:
        return 1


def _encode(event: Event) -> str:
    """A line of routing (JSON), then the frame as the sockets get it, not encoded again.

    "t": when it was published, so receivers can measure the broker's lag. A compact JSON
    frame never holds a raw newline, so the first one ends the routing line.
    """
    routing = {
        "y": event.type,
        "r": sorted(event.recipients),
        "c": event.chat_id,
        "m": event.message_id,
        "t": time.time(),
    }
    return json.dumps(routing, separators=(",", ":")) + "\n" + event.frame


def _decode(data: str | bytes) -> tuple[Event, float | None]:
    text = data.decode() if isinstance(data, bytes) else data
    head, newline, frame = text.partition("\n")
    raw: dict[str, Any] = json.loads(head)
    if not newline:
        return _decode_legacy(raw), raw.get("t")
    event = Event(raw["y"], frame, frozenset(raw["r"]), raw["c"], raw["m"])
    return event, raw.get("t")


def _decode_legacy(raw: dict[str, Any]) -> Event:
    """An event from a node of an earlier version (during a rolling upgrade): a payload."""
    payload: dict[str, Any] = raw["p"]
    kind = str(payload["type"])
    message_id = int(payload["message"]["id"]) if kind == "message.new" else None
    frame = json.dumps(payload, separators=(",", ":"))
    return Event(kind, frame, frozenset(raw["r"]), raw["c"], message_id)


class RedisBroker:
    """Redis pub/sub for events; a sorted set per user (node -> expiry) for presence."""

    def __init__(
        self,
        url: str,
        dispatch: Dispatch,
        local_users: Callable[[], set[int]],
        on_reconnect: Callable[[], None],
        online: set[int],
    ) -> None:
        self._redis = redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._dispatch = dispatch
        self._local_users = local_users
        self._on_reconnect = on_reconnect
        self._online = online
        self._node = uuid.uuid4().hex
        self._subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._heartbeat()),
        ]
        # Start serving even if Redis is down; wait briefly so the usual case is ready.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=3)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(RedisError, OSError):
            await self._redis.delete(self._node_key)
            users = self._local_users()
            if users:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for user_id in users:
                        pipe.zrem(_presence_key(user_id), self._node)
                    await pipe.execute()
        await self._redis.aclose()

    async def publish(self, event: Event) -> None:
        metrics.event_published(event)
        if not self.subscribed:
            # Our own subscription is down: local users must not wait for Redis.
            await self._dispatch(event)
        try:
            await self._redis.publish(CHANNEL, _encode(event))
        except (RedisError, OSError) as exc:
            log.warning("redis publish failed (%s); delivering on this node only", exc)
            if self.subscribed:
                self._subscribed.clear()
                await self._dispatch(event)

    async def _listen(self) -> None:
        backoff = ExponentialWithJitterBackoff(base=0.1, cap=5)
        failures = 0
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                await self._load_online()
                self._subscribed.set()
                if failures:
                    log.info("redis is back; asking local clients to catch up")
                    self._on_reconnect()
                failures = 0
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        event, published_at = _decode(message["data"])
                        if published_at is not None:
                            metrics.broker_lag(published_at)
                        await self._dispatch(event)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as exc:
                if self.subscribed or failures == 0:
                    log.warning("redis subscription lost: %s", exc)
                self._subscribed.clear()
                failures += 1
                await asyncio.sleep(backoff.compute(failures))
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _load_online(self) -> None:
        now = time.time()
        found: set[int] = set()
        async for key in self._redis.scan_iter(match="parley:presence:*", count=500):
            if await self._redis.zcount(key, now, "+inf"):
                found.add(int(key.rsplit(b":", 1)[1]))
        self._online.clear()
        self._online.update(found | self._local_users())

    @property
    def _node_key(self) -> str:
        return f"{NODE_PREFIX}{self._node}"

    async def nodes_online(self) -> int:
        """Nodes whose claim (renewed by their heartbeat) has not expired; this one at least."""
        try:
            others = {key async for key in self._redis.scan_iter(match=NODE_PREFIX + "*")}
        except (RedisError, OSError):
            return 1
        return len(others | {self._node_key.encode()})

    async def _heartbeat(self) -> None:
        while True:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.set(self._node_key, 1, ex=PRESENCE_TTL)
            await asyncio.sleep(PRESENCE_TTL / 3)
            users = self._local_users()
            if not users:
                continue
            expiry = time.time() + PRESENCE_TTL
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for user_id in users:
                        pipe.zadd(_presence_key(user_id), {self._node: expiry})
                        pipe.expire(_presence_key(user_id), PRESENCE_TTL)
                    await pipe.execute()
            except (RedisError, OSError):
                continue  # the listener reports the outage

    async def arrive(self, user_id: int, first_here: bool) -> bool:
        if not first_here:
            return False
        key, now = _presence_key(user_id), time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", now)
                pipe.zcard(key)
                pipe.zadd(key, {self._node: now + PRESENCE_TTL})
                pipe.expire(key, PRESENCE_TTL)
                _, before, _, _ = await pipe.execute()
        except (RedisError, OSError):
            return first_here
        return int(before) == 0

    async def leave(self, user_id: int, last_here: bool) -> bool:
        if not last_here:
            return False
        key, now = _presence_key(user_id), time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zrem(key, self._node)
                pipe.zremrangebyscore(key, "-inf", now)
                pipe.zcard(key)
                _, _, remaining = await pipe.execute()
        except (RedisError, OSError):
            return True
        return int(remaining) == 0

    async def online_among(self, user_ids: frozenset[int]) -> set[int]:
        """This node's sockets, and every node's live claims in Redis (one round trip).

        The same sorted sets as `arrive`: a node's claim counts until it expires, so a
        node that died stops counting within PRESENCE_TTL. With Redis away, the presence
        events seen so far answer instead.
        """
        local = self._local_users()
        here = set(user_ids) & local
        others = sorted(set(user_ids) - here)
        if not others:
            return here
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in others:
                    pipe.zcount(_presence_key(user_id), now, "+inf")
                counts = await pipe.execute()
        except (RedisError, OSError):
            return here | {user_id for user_id in others if user_id in self._online}
        return here | {user_id for user_id, n in zip(others, counts, strict=True) if int(n)}


def _presence_key(user_id: int) -> str:
    return f"parley:presence:{user_id}"


def create_broker(redis_url: str, hub: Hub) -> Broker:
    if not redis_url:
        return MemoryBroker(hub.dispatch, hub.local_users)
    return RedisBroker(redis_url, hub.dispatch, hub.local_users, hub.close_all, hub.online)
