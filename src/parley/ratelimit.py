"""Moving-window rate limits (the ``limits`` library), kept in this node's memory."""

import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from parley.errors import TooManyRequests


class RateLimit:
    """``amount`` hits per ``seconds`` for each key; ``hit`` raises 429 with Retry-After."""

    def __init__(self, name: str, amount: int, seconds: int) -> None:
        self._name = name
        self._item = RateLimitItemPerSecond(amount, seconds)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check(self, *keys: str) -> None:
        """Raise if any key is already over its limit, without counting a hit."""
        for key in keys:
            if not await self._limiter.test(self._item, self._name, key):
                await self._raise(key)

    async def hit(self, *keys: str) -> None:
        for key in keys:
            if not await self._limiter.hit(self._item, self._name, key):
                await self._raise(key)

    async def _raise(self, key: str) -> None:
        stats = await self._limiter.get_window_stats(self._item, self._name, key)
        retry_after = int(stats.reset_time - time.time()) + 1
        raise TooManyRequests("too many attempts; try again later", retry_after)
