"""One socket: a bounded send queue drained by its own writer, and catch-up buffering.

A server holds thousands of these, mostly idle, so each keeps to one deque and wakes its
writer (or a waiting reply) with a future made only when someone actually waits.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

log = logging.getLogger("parley.realtime")

# Close codes: the contract's 44xx, and the standard ones Parley uses.
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_MEMBER = 4404
CLOSE_BAD_REQUEST = 4400  # e.g. a `since` that is not a message id
CLOSE_RESTART = 1012  # server going away: reconnect (elsewhere) with since
CLOSE_TOO_SLOW = 1008  # the client stopped reading and its queue overflowed
CLOSE_TRY_AGAIN = 1013  # the database is unavailable: reconnect (with since) shortly
CLOSE_TOO_MANY = 4429  # the user already holds PARLEY_MAX_SOCKETS_PER_USER sockets here
REPLAY_TAIL = 1024  # replayed message ids whose late live copies are still dropped


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        user_id: int,
        chat_id: int | None,
        queue_size: int,
        session_id: int | None = None,
    ):
        self.websocket = websocket
        self.user_id = user_id
        # The sign-in behind the token: revoking it closes this socket (Hub._close_sessions).
        self.session_id = session_id
        self.chat_id = chat_id  # None: every chat of the user (/ws)
        # One queue keeps replies and live events in order. Replies (and replayed history)
        # only fill half of it and then wait, so a client that sends a burst of frames
        # slows itself down instead of crowding out live events; only live events that
        # find the whole queue full mean the client stopped reading.
        self._pending: deque[str] = deque()
        self._limit = queue_size
        self._reply_limit = queue_size // 2
        self._writer_idle: asyncio.Future[None] | None = None
        self._reply_waiting: asyncio.Future[None] | None = None
        self._buffer: list[tuple[str, int | None]] | None = None
        self._replayed: set[int] | None = None  # see stop_buffering
        self._on_close: Callable[[], object] | None = None
        self.is_closed = False
        self.close_code = CLOSE_RESTART
        self._writer = asyncio.create_task(self._write())

    @property
    def backlog(self) -> int:
        """Frames queued for this client and not yet written."""
        return len(self._pending)

    def wants(self, chat_id: int | None) -> bool:
        return self.chat_id is None or self.chat_id == chat_id

    def offer(self, text: str, message_id: int | None = None) -> None:
        """Queue a live event without waiting; a client too slow to keep up is dropped."""
        if self.is_closed:
            return
        if self._replayed and message_id in self._replayed:
            self._replayed.discard(message_id)  # a late live copy of a replayed message
            return
        if self._buffer is not None:
            self._buffer.append((text, message_id))
            return
        if len(self._pending) >= self._limit:
            log.info("dropping user %s: send queue overflowed", self.user_id)
            self.close(CLOSE_TOO_SLOW)
            return
        self._push(text)

    async def send_now(self, text: str) -> None:
        """Queue a reply or a replayed event, waiting for room (the client's own pace)."""
        while not self.is_closed and len(self._pending) >= self._reply_limit:
            self._reply_waiting = asyncio.get_running_loop().create_future()
            await self._reply_waiting
        if not self.is_closed:
            self._push(text)

    def start_buffering(self) -> None:
        """Hold live events while the database is replayed, so nothing slips between."""
        self._buffer = []

    def stop_buffering(self, already_sent: Iterable[int]) -> None:
        """Release held events in order, skipping messages the replay already delivered.

        Their live copies can also arrive later: a message sent on another node is
        published after its commit, and the replay may have read it in between. So the
        newest replayed ids are remembered, each until its copy turns up.
        """
        sent = set(already_sent)
        held, self._buffer = self._buffer or [], None
        for text, message_id in held:
            if message_id is not None and message_id in sent:
                sent.discard(message_id)
            else:
                self.offer(text)
        # A late copy is of a message committed just before the replay read it: among
        # the newest it sent, so a long replay keeps only its tail.
        self._replayed = set(sorted(sent)[-REPLAY_TAIL:]) or None

    def when_closed(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the connection is closed (at once if it already is)."""
        if self.is_closed:
            callback()
        else:
            self._on_close = callback

    def close(self, code: int) -> None:
        if self.is_closed:
            return
        self.close_code = code
        self.is_closed = True
        _wake(self._reply_waiting)
        self._reply_waiting = None
        if self._on_close is not None:
            self._on_close()

    def _push(self, text: str) -> None:
        self._pending.append(text)
        _wake(self._writer_idle)
        self._writer_idle = None

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                while not self._pending:
                    self._writer_idle = loop.create_future()
                    await self._writer_idle
                text = self._pending.popleft()
                if len(self._pending) < self._reply_limit:
                    _wake(self._reply_waiting)
                    self._reply_waiting = None
                await self.websocket.send_text(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the peer went away mid-send; the reader will notice too
            self.close(CLOSE_RESTART)

    async def finish(self) -> None:
        """Stop writing and close the socket with the recorded code, without hanging."""
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.websocket.close(self.close_code), timeout=2)

    def __repr__(self) -> str:
        scope: Any = self.chat_id if self.chat_id is not None else "all"
        return f"<Connection user={self.user_id} chat={scope}>"


def _wake(waiter: asyncio.Future[None] | None) -> None:
    """Resolve a waiter if there is one still waiting."""
    if waiter is not None and not waiter.done():
        waiter.set_result(None)
