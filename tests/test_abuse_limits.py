"""Abuse limits: per-address and per-user rate limits, socket and group caps, body size.

Every limit is a setting (`parley.config.Settings`, env PARLEY_*); each test lowers the
one it is about. Clients come from two loopback addresses (127.0.0.1 and 127.0.0.2) to
show that per-address limits are kept per address. Rate-limited answers are 429 with
`Retry-After`; a socket over the per-user cap is closed with 4429 and a reason.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.sockets import open_socket
from tests.support import PASSWORD, Api, RunningServer, User, serve, test_settings

OTHER_ADDRESS = "127.0.0.2"  # Linux answers all of 127.0.0.0/8 on the loopback device


@asynccontextmanager
async def limited(
    database_url: str, tmp_path: Path, **limits: Any
) -> AsyncIterator[tuple[RunningServer, Api, Api]]:
    """A server with ``limits``, and API clients from two different addresses."""
    async with (
        serve(test_settings(database_url, tmp_path, **limits)) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as here,
        httpx.AsyncClient(
            base_url=server.base_url,
            timeout=30,
            transport=httpx.AsyncHTTPTransport(local_address=OTHER_ADDRESS),
        ) as there,
    ):
        yield server, Api(here), Api(there)


def assert_limited(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert isinstance(r.json()["detail"], str)
    assert int(r.headers["Retry-After"]) >= 1


async def test_registration_is_limited_per_address(database_url: str, tmp_path: Path) -> None:
    async with limited(database_url, tmp_path, registrations_per_address=3) as (_, here, there):
        for _ in range(3):
            await here.user()
        r = await here.client.post(
            "/auth/register",
            json={"username": "one_too_many", "email": "x@example.com", "password": PASSWORD},
        )
        assert_limited(r)
        assert int(r.headers["Retry-After"]) <= 3601
        # Another address is not affected, and signing in still works for everyone.
        await there.user()
        assert (await here.client.get("/healthz")).status_code == 200


async def test_failed_sign_ins_are_limited_per_address_and_per_account(
    database_url: str, tmp_path: Path
) -> None:
    async with limited(database_url, tmp_path, login_attempts=3) as (_, here, there):
        alice, bob = await here.user(), await here.user()
        for _ in range(3):
            r = await here.client.post(
                "/auth/login", json={"username": alice.username, "password": "wrong password"}
            )
            assert r.status_code == 401
        # This address is locked, for every account ...
        r = await here.client.post(
            "/auth/login", json={"username": bob.username, "password": PASSWORD}
        )
        assert_limited(r)
        # ... and so is the account, from every address.
        r = await there.client.post(
            "/auth/login", json={"username": alice.username, "password": PASSWORD}
        )
        assert_limited(r)
        r = await there.client.post(
            "/auth/login", json={"username": bob.username, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text


async def test_sending_is_limited_per_address_over_all_accounts(
    database_url: str, tmp_path: Path
) -> None:
    # Each user may send 3; the address, 4 in all.
    async with limited(
        database_url,
        tmp_path,
        messages_per_window=3,
        messages_per_address=4,
        message_window_seconds=60,
    ) as (server, here, there):
        alice, bob = await here.user(), await here.user()
        carol = await there.user()
        group = await alice.group("Spam", bob, carol)
        path = f"/chats/{group['id']}/messages"
        codes = []
        for i in range(3):
            for user in (alice, bob):
                codes.append((await user.post(path, json={"content": f"{i}"})).status_code)
        # Neither has reached 3 of their own when the address runs out.
        assert codes == [201] * 4 + [429, 429]
        # The socket path shares the budget.
        async with open_socket(server.ws_url, bob.token) as sock:
            await sock.send(
                {"type": "message.send", "chat_id": group["id"], "content": "x", "client_id": "c"}
            )
            err = await sock.next("error")
            assert err["code"] == "rate_limited" and err["client_id"] == "c"
        # Someone elsewhere sends as usual.
        assert (await carol.post(path, json={"content": "fine"})).status_code == 201


async def test_uploads_are_limited_per_address(database_url: str, tmp_path: Path) -> None:
    async with limited(database_url, tmp_path, uploads_per_window=2, uploads_per_address=3) as (
        _,
        here,
        there,
    ):
        alice, bob, carol = await here.user(), await here.user(), await there.user()

        async def upload(user: User) -> httpx.Response:
            return await user.post(
                "/attachments", files={"file": ("a.txt", b"hello", "text/plain")}
            )

        assert (await upload(alice)).status_code == 201
        assert (await upload(bob)).status_code == 201
        assert (await upload(alice)).status_code == 201
        assert_limited(await upload(bob))  # bob's second, but the address's fourth
        assert (await upload(carol)).status_code == 201


async def test_an_address_limit_never_undercuts_the_per_user_one(
    database_url: str, tmp_path: Path
) -> None:
    async with limited(database_url, tmp_path, messages_per_window=5, messages_per_address=1) as (
        _,
        here,
        _,
    ):
        alice, bob = await here.user(), await here.user()
        chat = await alice.direct_chat(bob)
        for i in range(5):
            await alice.say(chat["id"], str(i))
        assert_limited(await alice.post(f"/chats/{chat['id']}/messages", json={"content": "6"}))


async def test_sockets_per_user_are_capped(database_url: str, tmp_path: Path) -> None:
    async with limited(database_url, tmp_path, max_sockets_per_user=2) as (server, here, _):
        alice, bob = await here.user(), await here.user()
        url = f"{server.ws_url}/ws?token={alice.token}"
        async with open_socket(server.ws_url, alice.token) as first:
            async with open_socket(server.ws_url, alice.token, chat_id=None) as second:
                for sock in (first, second):
                    await sock.send({"type": "ping"})
                    await sock.next("pong")
                # A third is refused, with a code and a reason a client can show.
                async with connect(url, open_timeout=5) as third:
                    try:
                        await asyncio.wait_for(third.recv(), 5)
                        raise AssertionError("the third socket was not closed")
                    except ConnectionClosed as exc:
                        assert exc.rcvd is not None and exc.rcvd.code == 4429
                        assert "too many sockets" in exc.rcvd.reason
                # Other users are not affected; the first two still work.
                async with open_socket(server.ws_url, bob.token) as other:
                    await other.send({"type": "ping"})
                    await other.next("pong")
                await first.send({"type": "ping"})
                await first.next("pong")
            # Once one closes, there is room again.
            async with open_socket(server.ws_url, alice.token) as again:
                await again.send({"type": "ping"})
                assert (await again.next("pong"))["type"] == "pong"


async def test_group_size_is_capped(database_url: str, tmp_path: Path) -> None:
    async with limited(database_url, tmp_path, max_group_members=3) as (_, here, _):
        owner = await here.user()
        a, b, c = await here.user(), await here.user(), await here.user()
        r = await owner.post(
            "/chats", json={"is_group": True, "title": "big", "member_ids": [a.id, b.id, c.id]}
        )
        assert r.status_code == 422, r.text
        assert "at most 3" in json.dumps(r.json())
        group = await owner.group("small", a, b)
        r = await owner.post(f"/chats/{group['id']}/members", json={"user_id": c.id})
        assert r.status_code == 422, r.text
        assert len((await owner.get(f"/chats/{group['id']}")).json()["members"]) == 3


async def test_request_bodies_are_capped(database_url: str, tmp_path: Path) -> None:
    async with limited(database_url, tmp_path, max_body_bytes=2048) as (_, here, _):
        alice, bob = await here.user(), await here.user()
        chat = await alice.direct_chat(bob)
        path = f"/chats/{chat['id']}/messages"
        body = json.dumps({"content": "x" * 3000}).encode()
        headers = {**alice.headers, "Content-Type": "application/json"}
        declared = await here.client.post(path, content=body, headers=headers)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 500):
                yield body[start : start + 500]

        streamed = await here.client.post(path, content=chunks(), headers=headers)
        for r in (declared, streamed):
            assert r.status_code == 413, r.text
            assert r.headers["content-type"] == "application/json"
            assert "2048" in r.json()["detail"]
        assert (await alice.get(f"/chats/{chat['id']}/messages")).json() == []
        assert (await alice.post(path, json={"content": "small"})).status_code == 201
