"""What a client may send over a socket, and how each frame is handled."""

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from parley.actions import activity
from parley.actions import messages as actions
from parley.actions.context import Context
from parley.actions.events import Error, MessageAck, Pong
from parley.core.errors import (
    DATABASE_ERRORS,
    UNAVAILABLE_DETAIL,
    DomainError,
    database_unavailable,
)
from parley.core.fields import IdField
from parley.db.models import User
from parley.messages.schemas import MessageIn
from parley.messages.service import Sent
from parley.realtime.connection import Connection

log = logging.getLogger("parley.realtime")
TYPING_INTERVAL = 2.0  # seconds: at most one typing event per chat per socket in this time


class SendFrame(MessageIn):
    type: Literal["message.send"]
    chat_id: IdField


class TypingFrame(BaseModel):
    type: Literal["typing"]
    chat_id: IdField


class ReadFrame(BaseModel):
    type: Literal["read"]
    chat_id: IdField
    message_id: IdField


class PingFrame(BaseModel):
    type: Literal["ping"]


Frame = Annotated[SendFrame | TypingFrame | ReadFrame | PingFrame, Field(discriminator="type")]
_frames: TypeAdapter[Frame] = TypeAdapter(Frame)
KNOWN_TYPES = ("message.send", "typing", "read", "ping")


def error(code: str, detail: str, client_id: str | None = None) -> str:
    return Error(code=code, detail=_text(detail), client_id=client_id).encode()


def _text(value: str) -> str:
    """``value`` as it can be sent: a lone surrogate cannot be written as UTF-8."""
    return value.encode("utf-8", "replace").decode()


def _client_id(raw: dict[str, Any]) -> str | None:
    """The frame's client_id to echo in an error, if it is text that can be sent back."""
    value = raw.get("client_id")
    return value if isinstance(value, str) and _text(value) == value else None


@dataclass(frozen=True, slots=True)
class Now:
    """An answer known at once (a refused frame)."""

    text: str


@dataclass(slots=True)
class Later:
    """Work whose answer comes when it is done; failures become ``error`` frames."""

    work: Coroutine[Any, Any, str | None]
    client_id: str | None
    pending: Awaitable[Any] | None = None  # a send's place in the write order

    async def run(self) -> str | None:
        try:
            return await self.work
        except (DomainError, *DATABASE_ERRORS) as exc:
            return _failure(exc, self.client_id)
        except Exception:  # a bug: logged here, and the client is told in words
            log.exception("frame handling failed")
            return error("internal", "internal server error", self.client_id)

    def discard(self) -> None:
        """Never to run (the socket closed first): close what was never started.

        A send is already queued in its lane and is written all the same; only its
        answer goes unsent.
        """
        self.work.close()


Reply = Now | Later


MAX_IN_FLIGHT = 16  # a socket's answers not yet sent; beyond this its reader waits
FINISH_SECONDS = 5.0  # how long a closing socket waits for the commits it still owes


class FrameHandler:
    """Handles the frames of one socket; every failure becomes an ``error`` frame.

    Sends are handed to the writer in the order they arrive and answered once they commit,
    without holding up the frames behind them (a burst from one socket shares batches);
    every answer still goes out in the order of the frames it answers.
    """

    def __init__(self, ctx: Context, conn: Connection, user: User, address: str) -> None:
        self.ctx = ctx
        self.conn = conn
        self.user = user
        self.address = address  # the client's, for the per-address send limit
        self._typing_sent: dict[int, float] = {}
        self._answers: deque[asyncio.Task[None]] = deque()
        self._lane = ctx.units.lane()  # this socket's sends, in the order of its frames

    async def handle_text(self, text: str) -> None:
        reply = await self._start(text)
        previous = self._answers[-1] if self._answers else None
        answer = asyncio.create_task(self._answer(reply, previous))
        self._answers.append(answer)
        answer.add_done_callback(self._answers.remove)
        if not isinstance(reply, Later) or reply.pending is None:
            await asyncio.wait({answer})  # anything but a send is done before the next frame
        elif len(self._answers) >= MAX_IN_FLIGHT:
            await asyncio.wait({self._answers[0]})

    async def finish(self) -> None:
        """Let the answers still owed finish (their writes are committing anyway)."""
        if not self._answers:
            return
        _, late = await asyncio.wait(set(self._answers), timeout=FINISH_SECONDS)
        for answer in late:
            answer.cancel()

    async def _start(self, text: str) -> Reply:
        """Read one frame and start it: the answer to await, in the order of the frames."""
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError):
            # RecursionError: nesting like [[[[...]]]] deeper than the parser's stack allows.
            return Now(error("bad_json", "frame is not valid JSON"))
        if not isinstance(raw, dict) or raw.get("type") not in KNOWN_TYPES:
            kind = raw.get("type") if isinstance(raw, dict) else None
            detail = f"unknown frame type; expected one of {', '.join(KNOWN_TYPES)}"
            return Now(error("unknown_type", detail if kind else "frame needs a type"))
        client_id = _client_id(raw)
        try:
            frame = _frames.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors(include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "frame"
            return Now(error("invalid_input", f"{where}: {first['msg']}", client_id))
        if not isinstance(frame, SendFrame):
            return Later(self._handle(frame), client_id)
        try:
            pending = await actions.submit(
                self.ctx, self.user, frame.chat_id, frame, self.address, self._lane
            )
        except (DomainError, *DATABASE_ERRORS) as exc:
            return Now(_failure(exc, client_id))
        return Later(self._ack(pending, frame.client_id), client_id, pending)

    async def _answer(self, reply: Reply, previous: asyncio.Task[None] | None) -> None:
        if isinstance(reply, Later):
            try:
                if previous is not None:
                    await asyncio.wait({previous})  # its answer first; its failure is its own
            except asyncio.CancelledError:
                reply.discard()
                raise
            text = await reply.run()
        else:
            if previous is not None:
                await asyncio.wait({previous})
            text = reply.text
        if text is not None:
            await self.conn.send_now(text)

    async def _ack(self, pending: Awaitable[Sent], client_id: str | None) -> str:
        # It resolves after the commit: an acknowledged message is a stored one.
        sent = await pending
        return MessageAck(client_id=client_id, message=sent.message).encode()

    async def _handle(self, frame: Frame) -> str | None:
        if isinstance(frame, PingFrame):
            return Pong().encode()
        if isinstance(frame, TypingFrame):
            await self._typing(frame.chat_id)
        elif isinstance(frame, ReadFrame):
            async with self.ctx.units.begin() as session:
                await actions.mark_read(session, self.user, frame.chat_id, frame.message_id)
        return None

    async def _typing(self, chat_id: int) -> None:
        now = time.monotonic()
        if now - self._typing_sent.get(chat_id, 0.0) < TYPING_INTERVAL:
            return  # throttled: the others already know
        await activity.typing(self.ctx, self.user, chat_id)
        self._typing_sent[chat_id] = now


def _failure(exc: Exception, client_id: str | None) -> str:
    """The ``error`` frame that answers a frame whose handling raised ``exc``."""
    if isinstance(exc, DomainError):
        return error(exc.code, exc.detail, client_id)
    if not database_unavailable(exc):
        log.error("database error while handling a frame", exc_info=exc)
        return error("internal", "internal server error", client_id)
    return error("unavailable", UNAVAILABLE_DETAIL, client_id)
