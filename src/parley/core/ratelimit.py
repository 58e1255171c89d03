"""Moving-window rate limits (the ``limits`` library).

Counters live in this node's memory, or in Redis when one is configured, so that every
node of a deployment draws on one budget instead of each granting its own.
"""

import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from parley.core.errors import TooManyRequests


def limit_storage(redis_url: str) -> Storage:
    """Where counters live: Redis (shared by all nodes) when configured, else memory."""
    if not redis_url:
        return MemoryStorage()
    # limits names its async Redis schemes async+redis:// (and async+rediss:// for TLS).
    return RedisStorage(
        "async+" + redis_url,
        implementation="redispy",
        wrap_exceptions=True,  # any Redis failure arrives as StorageError
        key_prefix="parley:limits",
        socket_connect_timeout=2,
        socket_timeout=2,
    )


class RateLimit:
    """``amount`` hits per ``seconds`` for each key; ``hit`` raises 429 with Retry-After."""

    def __init__(self, name: str, amount: int, seconds: int, storage: Storage) -> None:
        self._name = name
        self._item = RateLimitItemPerSecond(amount, seconds)
        self._shared = MovingWindowRateLimiter(storage)
        # With Redis away the node keeps serving (as it does for events), counting alone.
        self._local = (
            self._shared
            if isinstance(storage, MemoryStorage)
            else MovingWindowRateLimiter(MemoryStorage())
        )

    async def check(self, *keys: str) -> None:
        """Raise if any key is already over its limit, without counting a hit."""
        for key in keys:
            await self._count(key, hit=False)

    async def hit(self, *keys: str) -> None:
        for key in keys:
            await self._count(key, hit=True)

    async def _count(self, key: str, *, hit: bool) -> None:
        try:
            await self._apply(self._shared, key, hit)
        except StorageError:
            await self._apply(self._local, key, hit)

    async def _apply(self, limiter: MovingWindowRateLimiter, key: str, hit: bool) -> None:
        allowed = limiter.hit if hit else limiter.test
        if await allowed(self._item, self._name, key):
            return
        stats = await limiter.get_window_stats(self._item, self._name, key)
        retry_after = int(stats.reset_time - time.time()) + 1
        raise TooManyRequests("too many attempts; try again later", retry_after)
