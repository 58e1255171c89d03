"""A no-database ceiling for the send path: Parley's routes and frames, all in memory.

Not part of Parley. `bench/send_path.py` runs it beside the real server so a figure like
"CPU per send" has something to be compared with: the same process model (one uvicorn
process, Parley's socket options), the same JSON shapes, and no storage, no validation
models, no middleware and no real authentication (the token is the username).

    .venv/bin/python bench/ceiling.py --host 127.0.0.1 --port 8800

Routes: `POST /auth/register`, `POST /auth/login`, `POST /chats` (groups),
`POST /chats/{id}/messages`, `GET /chats/{id}/messages?limit=&before=`, `GET /healthz` and
`/ws?token=` (`message.send` -> `message.new` to every member socket, then `message.ack`;
`ping` -> `pong`). Each event is encoded once and the same text queued to every socket;
each socket has one writer task, as in Parley. Like Parley, a send that marks other
members' messages read also sends `chat.read` to every member.
"""

import argparse
import asyncio
import bisect
import json
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from parley.app.commands import socket_options
from parley.config import Settings

users: dict[str, dict[str, Any]] = {}  # token (= username) -> UserOut
chats: dict[int, dict[str, Any]] = {}  # id -> ChatOut without last_message/unread_count
members: dict[int, list[int]] = {}  # chat id -> user ids
read_upto: dict[tuple[int, int], int] = {}  # (chat, user) -> last read message id
messages: dict[int, list[dict[str, Any]]] = {}  # chat id -> MessageOut, ascending ids
by_client_id: dict[tuple[int, str], dict[str, Any]] = {}
sockets: dict[int, list[asyncio.Queue[str]]] = {}  # user id -> one queue per socket
last_id = 0


def now() -> str:
    return datetime.now(UTC).isoformat()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def caller(request: Request) -> dict[str, Any] | None:
    return users.get(request.headers.get("authorization", "").removeprefix("Bearer "))


def publish(chat_id: int, event: dict[str, Any]) -> None:
    text = dumps(event)  # once, for every socket
    for user_id in members[chat_id]:
        for queue in sockets.get(user_id, ()):
            queue.put_nowait(text)


def send(me: dict[str, Any], chat_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Keep a message (or find the repeat of a client_id) and publish its events."""
    global last_id
    client_id = body.get("client_id")
    if client_id is not None and (me["id"], client_id) in by_client_id:
        return by_client_id[me["id"], client_id], False
    last_id += 1
    message = {
        "id": last_id,
        "chat_id": chat_id,
        "sender_id": me["id"],
        "content": body["content"],
        "attachment_url": None,
        "created_at": now(),
        "edited_at": None,
        "is_read": False,
        "client_id": client_id,
        "attachment": None,
    }
    kept = messages[chat_id]
    kept.append(message)
    if client_id is not None:
        by_client_id[me["id"], client_id] = message
    # Sending reads what came before: others' unread messages since my marker.
    marked = False
    for older in reversed(kept[:-1]):
        if older["id"] <= read_upto[chat_id, me["id"]]:
            break
        if older["sender_id"] != me["id"] and not older["is_read"]:
            older["is_read"] = marked = True
    read_upto[chat_id, me["id"]] = last_id
    publish(chat_id, {"type": "message.new", "chat_id": chat_id, "message": message})
    if marked:
        read = {"type": "chat.read", "chat_id": chat_id, "user_id": me["id"], "message_id": last_id}
        publish(chat_id, read)
    return message, True


async def register(request: Request) -> Response:
    body = await request.json()
    if body["username"] in users:
        return JSONResponse({"detail": "username taken", "code": "conflict"}, 409)
    user = {
        "id": len(users) + 1,
        "username": body["username"],
        "email": body["email"],
        "display_name": body.get("display_name") or body["username"],
        "created_at": now(),
    }
    users[user["username"]] = user
    return JSONResponse(user, 201)


async def login(request: Request) -> Response:
    name = (await request.json())["username"]
    token = {"access_token": name, "token_type": "bearer", "expires_in": 900}
    return JSONResponse(token | {"refresh_token": name})


async def create_chat(request: Request) -> Response:
    me, body = caller(request), await request.json()
    if me is None:
        return JSONResponse({"detail": "not signed in", "code": "unauthorized"}, 401)
    by_id = {u["id"]: u for u in users.values()}
    ids = [me["id"], *(i for i in body["member_ids"] if i != me["id"])]
    chat_id = len(chats) + 1
    chats[chat_id] = {
        "id": chat_id,
        "is_group": True,
        "title": body["title"],
        "created_at": now(),
        "members": [
            {
                "user": {k: by_id[i][k] for k in ("id", "username", "display_name")}
                | {"online": i in sockets, "last_seen_at": None},
                "role": "owner" if i == me["id"] else "member",
            }
            for i in ids
        ],
    }
    members[chat_id], messages[chat_id] = ids, []
    read_upto.update({(chat_id, i): 0 for i in ids})
    return JSONResponse(chats[chat_id] | {"last_message": None, "unread_count": 0}, 201)


async def chat_messages(request: Request) -> Response:
    me, chat_id = caller(request), int(request.path_params["chat_id"])
    if me is None:
        return JSONResponse({"detail": "not signed in", "code": "unauthorized"}, 401)
    if me["id"] not in members.get(chat_id, ()):
        return JSONResponse({"detail": "chat not found", "code": "not_found"}, 404)
    if request.method == "POST":
        message, created = send(me, chat_id, await request.json())
        return JSONResponse(message, 201 if created else 200)
    kept, query = messages[chat_id], request.query_params
    limit = int(query.get("limit", 50))
    end = len(kept)
    if "before" in query:
        end = bisect.bisect_left(kept, int(query["before"]), key=lambda m: m["id"])
    return JSONResponse(kept[max(0, end - limit) : end])


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def ws(websocket: WebSocket) -> None:
    await websocket.accept()
    me = users.get(websocket.query_params.get("token", ""))
    if me is None:
        await websocket.close(4401)
        return
    queue: asyncio.Queue[str] = asyncio.Queue()
    sockets.setdefault(me["id"], []).append(queue)

    async def write() -> None:
        while True:
            await websocket.send_text(await queue.get())

    writer = asyncio.create_task(write())
    try:
        while True:
            frame = json.loads(await websocket.receive_text())
            if frame.get("type") == "ping":
                queue.put_nowait('{"type":"pong"}')
            elif frame.get("type") == "message.send":
                chat_id = frame["chat_id"]
                if me["id"] not in members.get(chat_id, ()):
                    error = {"type": "error", "code": "not_found", "detail": "chat not found"}
                    queue.put_nowait(dumps(error | {"client_id": frame.get("client_id")}))
                    continue
                message, _ = send(me, chat_id, frame)
                ack = {"type": "message.ack", "client_id": frame.get("client_id")}
                queue.put_nowait(dumps(ack | {"message": message}))
    except WebSocketDisconnect:
        pass
    finally:
        writer.cancel()
        sockets[me["id"]].remove(queue)
        if not sockets[me["id"]]:
            del sockets[me["id"]]


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/auth/register", register, methods=["POST"]),
        Route("/auth/login", login, methods=["POST"]),
        Route("/chats", create_chat, methods=["POST"]),
        Route("/chats/{chat_id:int}/messages", chat_messages, methods=["GET", "POST"]),
        WebSocketRoute("/ws", ws),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description="no-database ceiling of Parley's send path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args()
    options = socket_options(Settings())  # ws_per_message_deflate=False among them
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, **options
    )


if __name__ == "__main__":
    main()
