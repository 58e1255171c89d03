"""The node's link previews: on or off, the fetcher, and the fetches under way.

Fetches run as background tasks beside the requests, never inside one: a send is
answered before its link is even looked at. They are kept referenced (asyncio holds
tasks only weakly), bounded (a few at a time, a limited backlog beyond which new links
simply get no preview: a flood of links costs the server a little memory, not its
sockets or its CPU), and cancelled when the node shuts down.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from parley.config import Settings
from parley.previews.fetch import Fetcher, allow_loopback

log = logging.getLogger("parley.previews")
Work = Callable[[], Coroutine[Any, Any, None]]


class Previews:
    def __init__(
        self, fetcher: Fetcher, *, enabled: bool = True, concurrency: int = 4, backlog: int = 256
    ) -> None:
        self.enabled = enabled
        self.fetcher = fetcher
        self._slots = asyncio.Semaphore(concurrency)
        self._backlog = backlog
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Previews":
        allowance = allow_loopback if settings.preview_unsafe_allow_loopback_for_tests else None
        fetcher = Fetcher(timeout=settings.preview_timeout_seconds, allowance=allowance)
        return cls(fetcher, enabled=settings.link_previews)

    @property
    def running(self) -> int:
        """Fetches waiting or under way."""
        return len(self._tasks)

    def spawn(self, work: Work) -> bool:
        """Run ``work`` in the background; False (not run) when the backlog is full."""
        if len(self._tasks) >= self._backlog:
            log.info("link preview skipped: %d fetches already waiting", len(self._tasks))
            return False
        task = asyncio.create_task(self._run(work), name="link-preview")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, work: Work) -> None:
        async with self._slots:
            try:
                await work()
            except Exception:  # a preview is a nicety: its failure must not go further
                log.warning("link preview failed", exc_info=True)

    async def close(self) -> None:
        """Cancel every fetch (at shutdown) and wait until they have stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
