"""What a client may send over a socket, and how each frame is handled."""

import json
import logging
import time
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


class FrameHandler:
    """Handles the frames of one socket; every failure becomes an ``error`` frame."""

    def __init__(self, ctx: Context, conn: Connection, user: User, address: str) -> None:
        self.ctx = ctx
        self.conn = conn
        self.user = user
        self.address = address  # the client's, for the per-address send limit
        self._typing_sent: dict[int, float] = {}

    async def handle_text(self, text: str) -> None:
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError):
            # RecursionError: nesting like [[[[...]]]] deeper than the parser's stack allows.
            await self.conn.send_now(error("bad_json", "frame is not valid JSON"))
            return
        if not isinstance(raw, dict) or raw.get("type") not in KNOWN_TYPES:
            kind = raw.get("type") if isinstance(raw, dict) else None
            detail = f"unknown frame type; expected one of {', '.join(KNOWN_TYPES)}"
            await self.conn.send_now(
                error("unknown_type", detail if kind else "frame needs a type")
            )
            return
        client_id = _client_id(raw)
        try:
            frame = _frames.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors(include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "frame"
            await self.conn.send_now(error("invalid_input", f"{where}: {first['msg']}", client_id))
            return
        try:
            await self._dispatch(frame)
        except DomainError as exc:
            await self.conn.send_now(error(exc.code, exc.detail, client_id))
        except DATABASE_ERRORS as exc:
            if not database_unavailable(exc):
                log.exception("database error while handling a frame")
                await self.conn.send_now(error("internal", "internal server error", client_id))
                return
            await self.conn.send_now(error("unavailable", UNAVAILABLE_DETAIL, client_id))

    async def _dispatch(self, frame: Frame) -> None:
        if isinstance(frame, PingFrame):
            await self.conn.send_now(Pong().encode())
        elif isinstance(frame, SendFrame):
            await self._send(frame)
        elif isinstance(frame, TypingFrame):
            await self._typing(frame.chat_id)
        else:
            async with self.ctx.units.begin() as session:
                await actions.mark_read(session, self.user, frame.chat_id, frame.message_id)

    async def _send(self, frame: SendFrame) -> None:
        sent = await actions.send(self.ctx, self.user, frame.chat_id, frame, self.address)
        # It returns after the commit: an acknowledged message is a stored one.
        ack = MessageAck(client_id=frame.client_id, message=sent.message)
        await self.conn.send_now(ack.encode())

    async def _typing(self, chat_id: int) -> None:
        now = time.monotonic()
        if now - self._typing_sent.get(chat_id, 0.0) < TYPING_INTERVAL:
            return  # throttled: the others already know
        await activity.typing(self.ctx, self.user, chat_id)
        self._typing_sent[chat_id] = now
