"""The rate limits' moving window, in memory and shared through Redis."""

import time

import pytest

from parley.core.errors import TooManyRequests
from parley.core.ratelimit import SWEEP_EVERY, LocalWindow, RateLimit, shared_storage
from tests.nodes import RedisServer


def test_a_moving_window_counts_each_key_and_forgets_old_hits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    window = LocalWindow(amount=3, seconds=10)
    assert [window.allows("a", hit=True) for _ in range(4)] == [True, True, True, False]
    assert window.allows("b", hit=True)  # another key has its own budget
    assert window.allows("a", hit=False) is False
    assert window.retry_after("a") == pytest.approx(10)
    now[0] += 9.5
    assert window.allows("a", hit=True) is False  # the first hits are still in the window
    assert window.retry_after("a") == pytest.approx(0.5)
    now[0] += 1
    assert window.allows("a", hit=True)  # ... and now they have left it


def test_keys_with_an_empty_window_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    window = LocalWindow(amount=SWEEP_EVERY * 2, seconds=10)
    for i in range(SWEEP_EVERY - 1):
        window.allows(f"ip:{i}", hit=True)
    now[0] += 11
    window.allows("late", hit=True)  # the sweep runs on this hit
    assert window._hits.keys() == {"late"}


async def test_429_carries_how_long_to_wait() -> None:
    limit = RateLimit("t", 2, 60)
    await limit.hit("k")
    await limit.hit("k")
    with pytest.raises(TooManyRequests) as raised:
        await limit.hit("k")
    assert raised.value.headers is not None
    assert 59 <= int(raised.value.headers["Retry-After"]) <= 61


async def test_with_redis_away_a_node_counts_alone(redis_server: RedisServer) -> None:
    limit = RateLimit("away", 2, 60, shared_storage(redis_server.url))
    await limit.hit("k")  # counted in Redis
    redis_server.stop()
    await limit.hit("k")  # Redis is gone: counted here, and no error reaches the caller
    await limit.hit("k")
    with pytest.raises(TooManyRequests):
        await limit.hit("k")
