"""The node's account exports under way: bounded, kept referenced, touched, cancelled.

Building an archive reads every message of a person's chats and copies their files, so a
node builds only a few at once (``concurrency``); more wait their turn. While a node holds
an export (waiting or building) it touches the row every ``heartbeat_seconds``: a row
nobody touches any more belonged to a node that died, and is marked failed elsewhere.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger("parley.exports")
Work = Callable[[], Coroutine[Any, Any, None]]
Touch = Callable[[frozenset[int]], Awaitable[None]]


class ExportRunner:
    def __init__(self, *, concurrency: int = 1, heartbeat_seconds: float = 60.0) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._heartbeat_seconds = heartbeat_seconds
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._beat: asyncio.Task[None] | None = None

    @property
    def held(self) -> frozenset[int]:
        """The exports this node is building or about to build."""
        return frozenset(self._tasks)

    def start(self, touch: Touch) -> None:
        """Begin touching the held exports' rows (called once the node is up)."""
        self._beat = asyncio.create_task(self._heartbeat(touch), name="export-heartbeat")

    def spawn(self, export_id: int, work: Work) -> None:
        """Build ``export_id`` in the background, once a slot is free."""
        if export_id in self._tasks:
            return
        task = asyncio.create_task(self._run(work), name=f"export-{export_id}")
        self._tasks[export_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(export_id, None))

    async def _run(self, work: Work) -> None:
        async with self._slots:
            try:
                await work()
            except Exception:  # the work records its own failure; this only keeps the node up
                log.exception("export job failed")

    async def _heartbeat(self, touch: Touch) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            if self._tasks:
                try:
                    await touch(self.held)
                except Exception as exc:  # an outage now; the next beat tries again
                    log.warning("could not touch exports under way (%s)", exc)

    async def close(self) -> frozenset[int]:
        """Cancel every export (at shutdown); the ids that were held, to be marked failed."""
        held = self.held
        if self._beat is not None:
            self._beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beat
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        return held
