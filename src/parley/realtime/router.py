"""The sockets: `/ws` for every chat of the user, `/ws/chat/{id}` for one chat."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from parley.actions import activity
from parley.actions.context import Context
from parley.actions.events import MessageNew
from parley.auth import service as auth_service
from parley.core.errors import DATABASE_ERRORS, DomainError, database_unavailable
from parley.core.fields import MAX_ID
from parley.db.models import User
from parley.membership.service import require_member
from parley.messages import service as messages
from parley.realtime.broker import Broker
from parley.realtime.connection import (
    CLOSE_BAD_REQUEST,
    CLOSE_NOT_MEMBER,
    CLOSE_TOO_MANY,
    CLOSE_TRY_AGAIN,
    CLOSE_UNAUTHORIZED,
    Connection,
)
from parley.realtime.frames import FrameHandler, error
from parley.realtime.hub import Hub

log = logging.getLogger("parley.realtime")
router = APIRouter()

WS_MAX_FRAME = 64 * 1024  # larger frames close the socket with 1009 (enforced by uvicorn)
REPLAY_PAGE = 500


@dataclass(frozen=True)
class Realtime:
    """This node's sockets and its link to the others (``app.state.realtime``)."""

    hub: Hub
    broker: Broker


@router.websocket("/ws")
async def all_chats(websocket: WebSocket) -> None:
    await _serve(websocket, None)


@router.websocket("/ws/chat/{chat_id}")
async def one_chat(websocket: WebSocket, chat_id: str) -> None:
    if not chat_id.isdigit() or not 0 < int(chat_id) <= MAX_ID:
        await websocket.accept()
        await _refuse(websocket, CLOSE_NOT_MEMBER)
        return
    await _serve(websocket, int(chat_id))


def _since(websocket: WebSocket) -> int | str | None:
    raw = websocket.query_params.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        return "since must be a message id (a whole number)"
    return int(raw)


async def _serve(websocket: WebSocket, chat_id: int | None) -> None:
    ctx: Context = websocket.app.state.parley
    realtime: Realtime = websocket.app.state.realtime
    hub, broker = realtime.hub, realtime.broker
    await websocket.accept()
    signed_in = await _authenticate(ctx, websocket.query_params.get("token", ""), chat_id)
    if isinstance(signed_in, int):
        await _refuse(websocket, signed_in)
        return
    user, session_id = signed_in
    since = _since(websocket)
    if isinstance(since, str):
        await _refuse(websocket, CLOSE_BAD_REQUEST, error("invalid", since))
        return

    limit = ctx.settings.max_sockets_per_user
    if hub.count(user.id) >= limit:
        # Checked and then added below with no await between, so racing sockets cannot
        # both slip under the cap.
        reason = f"too many sockets for this user (at most {limit}); close another first"
        await _refuse(websocket, CLOSE_TOO_MANY, reason=reason)
        return
    conn = Connection(websocket, user.id, chat_id, ctx.settings.ws_send_queue, session_id)
    if since is not None:
        conn.start_buffering()  # subscribe first; replay; then release what arrived
    first_here = hub.add(conn)
    try:
        if since is not None:
            await _replay(ctx, conn, since)
        if await broker.arrive(user.id, first_here):
            await activity.announce(ctx, user.id, online=True)
        handler = FrameHandler(ctx, conn, user, _address(websocket))
        await _until_closed(websocket, conn, handler)
    except DATABASE_ERRORS as exc:
        if not database_unavailable(exc):
            raise
        # The database went away during the replay or the presence update.
        log.warning("socket closed: the database is unavailable")
        conn.close(CLOSE_TRY_AGAIN)
    finally:
        last_here = hub.remove(conn)
        await conn.finish()
        with contextlib.suppress(Exception):  # presence is best-effort; never mask the close
            if await broker.leave(user.id, last_here):
                await activity.announce(ctx, user.id, online=False)


async def _refuse(websocket: WebSocket, code: int, frame: str = "", reason: str = "") -> None:
    """Close a socket that will not be served; the peer may already have gone."""
    with contextlib.suppress(WebSocketDisconnect):
        if frame:
            await websocket.send_text(frame)
        await websocket.close(code, reason=reason)


async def _authenticate(ctx: Context, token: str, chat_id: int | None) -> tuple[User, int] | int:
    """The user and session behind the token, or the close code to answer with."""
    try:
        async with ctx.units.begin() as session:
            user, auth_session = await auth_service.authenticate(session, ctx.auth, token)
            if chat_id is not None:
                await require_member(session, chat_id, user.id)
            auth_service.touch(auth_session)
    except DomainError as exc:
        return CLOSE_NOT_MEMBER if exc.status_code == 404 else CLOSE_UNAUTHORIZED
    except DATABASE_ERRORS as exc:
        if not database_unavailable(exc):
            raise
        # The database is down: not the client's fault, so say "try again later".
        log.warning("socket refused: the database is unavailable (%s)", type(exc).__name__)
        return CLOSE_TRY_AGAIN
    return user, auth_session.id


def _address(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "unknown"


async def _replay(ctx: Context, conn: Connection, since: int) -> None:
    """Send every message.new missed after ``since``, page by page, then go live."""
    sent: list[int] = []
    cursor = since
    while True:
        async with ctx.units.sessionmaker() as session:
            page = await messages.missed(
                session, ctx.links, conn.user_id, cursor, conn.chat_id, REPLAY_PAGE
            )
        for message in page:
            await conn.send_now(MessageNew(chat_id=message.chat_id, message=message).encode())
            sent.append(message.id)
        if len(page) < REPLAY_PAGE:
            break
        cursor = page[-1].id
    conn.stop_buffering(sent)


async def _until_closed(websocket: WebSocket, conn: Connection, handler: FrameHandler) -> None:
    """Read frames until the peer leaves or the server closes the connection."""
    reader = asyncio.create_task(_read(websocket, handler))
    conn.when_closed(reader.cancel)  # dropped as too slow, or the server is stopping
    try:
        await asyncio.wait({reader})
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await reader
        await handler.finish()


async def _read(websocket: WebSocket, handler: FrameHandler) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            handler.conn.close(message.get("code") or 1000)
            return
        if message.get("text") is not None:
            await handler.handle_text(message["text"])
        else:
            await handler.conn.send_now(error("binary", "only JSON text frames are accepted"))
