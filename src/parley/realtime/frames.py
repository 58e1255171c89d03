"""What a client may send over a socket, and how each frame is handled."""

import json
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from parley.chats.service import member_ids, require_member
from parley.db.models import User
from parley.db.unit_of_work import unit_of_work
from parley.errors import DomainError, InvalidInput
from parley.messages import service as messages
from parley.messages.schemas import MessageIn
from parley.realtime.connection import Connection
from parley.realtime.events import Event
from parley.schemas import IdField
from parley.state import AppState

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


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def error(code: str, detail: str, client_id: str | None = None) -> str:
    payload: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if client_id is not None:
        payload["client_id"] = client_id
    return dumps(payload)


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}


class FrameHandler:
    """Handles the frames of one socket; every failure becomes an ``error`` frame."""

    def __init__(self, state: AppState, conn: Connection, user: User, address: str) -> None:
        self.state = state
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
        client_id = raw.get("client_id") if isinstance(raw.get("client_id"), str) else None
        try:
            frame = _frames.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors(include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "frame"
            await self.conn.send_now(error("invalid", f"{where}: {first['msg']}", client_id))
            return
        try:
            await self._dispatch(frame)
        except DomainError as exc:
            code = _CODES.get(exc.status_code, "error")
            detail = exc.errors()[0]["msg"] if isinstance(exc, InvalidInput) else exc.detail
            await self.conn.send_now(error(code, detail, client_id))
        except (OperationalError, PoolTimeout):
            detail = "the database is unavailable; try again shortly"
            await self.conn.send_now(error("unavailable", detail, client_id))

    async def _dispatch(self, frame: Frame) -> None:
        if isinstance(frame, PingFrame):
            await self.conn.send_now(dumps({"type": "pong"}))
        elif isinstance(frame, SendFrame):
            await self._send(frame)
        elif isinstance(frame, TypingFrame):
            await self._typing(frame.chat_id)
        else:
            async with unit_of_work(self.state) as session:
                await messages.mark_read(session, self.user, frame.chat_id, frame.message_id)

    async def _send(self, frame: SendFrame) -> None:
        await self.state.message_limit.hit(f"user:{self.user.id}")
        await self.state.message_address_limit.hit(f"ip:{self.address}")
        async with unit_of_work(self.state) as session:
            message, _ = await messages.send(
                session,
                self.state.links,
                self.user,
                frame.chat_id,
                frame.content,
                frame.attachment_url,
                frame.client_id,
            )
        ack = {
            "type": "message.ack",
            "client_id": frame.client_id,
            "message": message.model_dump(mode="json"),
        }
        await self.conn.send_now(dumps(ack))

    async def _typing(self, chat_id: int) -> None:
        now = time.monotonic()
        if now - self._typing_sent.get(chat_id, 0.0) < TYPING_INTERVAL:
            return  # throttled: the others already know
        async with unit_of_work(self.state) as session:
            await require_member(session, chat_id, self.user.id)
            others = await member_ids(session, chat_id) - {self.user.id}
        self._typing_sent[chat_id] = now
        payload = {"type": "typing", "chat_id": chat_id, "user_id": self.user.id}
        # Typing is never stored: straight to the broker.
        await self.state.broker.publish(Event(payload, others, chat_id))
