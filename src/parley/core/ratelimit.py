"""Moving-window rate limits.

With Redis configured the counters live there (the ``limits`` library), so every node of
a deployment draws on one budget instead of each granting its own. Without Redis, and
while Redis is away, each node counts in its own memory with `LocalWindow`: the
library's in-memory storage re-scans every key through a worker thread after each hit,
which cost an eighth of the server's CPU per message sent.
"""

import time
from collections import deque

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from parley.core.errors import TooManyRequests

SWEEP_EVERY = 1000  # hits between passes that forget keys whose window has emptied


def shared_storage(redis_url: str) -> RedisStorage | None:
    """Redis for the counters when configured (shared by all nodes), else None."""
    if not redis_url:
        return None
    # limits names its async Redis schemes async+redis:// (and async+rediss:// for TLS).
    return RedisStorage(
        "async+" + redis_url,
        implementation="redispy",
        wrap_exceptions=True,  # any Redis failure arrives as StorageError
        key_prefix="parley:limits",
        socket_connect_timeout=2,
        socket_timeout=2,
    )


class LocalWindow:
    """``amount`` hits per ``seconds`` for each key, kept in this process: hit times, oldest
    first, dropped as they leave the window."""

    def __init__(self, amount: int, seconds: int) -> None:
        self.amount = amount
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._until_sweep = SWEEP_EVERY

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        return hits

    def allows(self, key: str, *, hit: bool) -> bool:
        now = time.monotonic()
        hits = self._recent(key, now)
        if len(hits) >= self.amount:
            return False
        if hit:
            hits.append(now)
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now)
        return True

    def retry_after(self, key: str) -> float:
        hits = self._hits.get(key)
        return hits[0] + self.seconds - time.monotonic() if hits else 0.0

    def _sweep(self, now: float) -> None:
        self._until_sweep = SWEEP_EVERY
        cutoff = now - self.seconds
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]


class RateLimit:
    """``amount`` hits per ``seconds`` for each key; ``hit`` raises 429 with Retry-After."""

    def __init__(
        self, name: str, amount: int, seconds: int, shared: RedisStorage | None = None
    ) -> None:
        self._name = name
        self._item = RateLimitItemPerSecond(amount, seconds)
        self._shared = MovingWindowRateLimiter(shared) if shared is not None else None
        self._local = LocalWindow(amount, seconds)

    async def check(self, *keys: str) -> None:
        """Raise if any key is already over its limit, without counting a hit."""
        for key in keys:
            await self._count(key, hit=False)

    async def hit(self, *keys: str) -> None:
        for key in keys:
            await self._count(key, hit=True)

    async def _count(self, key: str, *, hit: bool) -> None:
        if self._shared is not None:
            try:
                await self._count_shared(self._shared, key, hit)
                return
            except StorageError:
                pass  # Redis is away: this node counts alone until it is back
        if not self._local.allows(key, hit=hit):
            self._refuse(self._local.retry_after(key))

    async def _count_shared(self, limiter: MovingWindowRateLimiter, key: str, hit: bool) -> None:
        allowed = limiter.hit if hit else limiter.test
        if await allowed(self._item, self._name, key):
            return
        stats = await limiter.get_window_stats(self._item, self._name, key)
        self._refuse(stats.reset_time - time.time())

    @staticmethod
    def _refuse(seconds: float) -> None:
        raise TooManyRequests("too many attempts; try again later", int(seconds) + 1)
