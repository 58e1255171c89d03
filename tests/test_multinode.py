"""Two server processes sharing MariaDB and Redis: users on either node talk live."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.nodes import Node, RedisServer, two_nodes
from tests.sockets import Socket, open_socket
from tests.support import Api, User


@pytest.fixture
async def nodes(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    async with two_nodes(redis_server.url, tmp_path) as pair:
        yield pair


async def _user(node: Node, client: httpx.AsyncClient) -> User:
    return await Api(client).user()


async def _settle(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def test_users_on_different_nodes_talk_live(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    async with (
        httpx.AsyncClient(base_url=a.base_url) as ca,
        httpx.AsyncClient(base_url=b.base_url) as cb,
    ):
        alice = await _user(a, ca)
        bob = await _user(b, cb)
        chat = await alice.direct_chat(bob)
        async with open_socket(a.ws_url, alice.token) as sa:
            await _settle(sa)
            async with open_socket(b.ws_url, bob.token) as sb:
                assert (await sa.next("presence"))["online"] is True
                await _settle(sb)
                # A → B over REST; B → A over the socket.
                sent = await alice.say(chat["id"], "from node A")
                assert (await sb.next("message.new"))["message"] == sent
                assert (await sa.next("message.new"))["message"] == sent  # her own socket too
                await sb.send(
                    {
                        "type": "message.send",
                        "chat_id": chat["id"],
                        "content": "from B",
                        "client_id": "b1",
                    }
                )
                ack = await sb.next("message.ack")
                assert (await sa.next("message.new"))["message"] == ack["message"]
                # Typing and read, both ways.
                await sb.send({"type": "typing", "chat_id": chat["id"]})
                assert (await sa.next("typing"))["user_id"] == bob.id
                await sa.send({"type": "typing", "chat_id": chat["id"]})
                assert (await sb.next("typing"))["user_id"] == alice.id
                unread = await alice.say(chat["id"], "read this")
                await sb.send({"type": "read", "chat_id": chat["id"], "message_id": unread["id"]})
                assert (await sa.next("chat.read"))["message_id"] == unread["id"]
                reply = await bob.say(chat["id"], "and this")
                await sa.send({"type": "read", "chat_id": chat["id"], "message_id": reply["id"]})
                assert (await sb.next("chat.read"))["user_id"] == alice.id
                # Online as seen from the other node.
                assert (await cb.get(f"/users/{alice.id}", headers=bob.headers)).json()[
                    "online"
                ] is True
            offline = await sa.next("presence")
            assert offline["user_id"] == bob.id and offline["online"] is False


async def test_catch_up_across_nodes(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    async with httpx.AsyncClient(base_url=a.base_url) as ca:
        alice, bob = await _user(a, ca), await _user(a, ca)
        chat = await alice.direct_chat(bob)
        first = await alice.say(chat["id"], "seen")
        missed = [(await alice.say(chat["id"], f"m{i}"))["id"] for i in range(10)]
        async with open_socket(b.ws_url, bob.token, since=first["id"]) as sb:
            got = [(await sb.next("message.new"))["message"]["id"] for _ in missed]
            assert got == missed
            assert await sb.quiet("message.new") == []


async def test_redis_outage_keeps_nodes_serving_and_recovers(
    nodes: tuple[Node, Node], redis_server: RedisServer
) -> None:
    a, b = nodes
    async with httpx.AsyncClient(base_url=a.base_url) as ca:
        alice, carol, bob = await _user(a, ca), await _user(a, ca), await _user(a, ca)
        group = await alice.group("Outage", carol, bob)
        async with (
            open_socket(a.ws_url, carol.token) as carol_a,
            open_socket(b.ws_url, bob.token) as bob_b,
        ):
            await _settle(carol_a, bob_b)
            before = await alice.say(group["id"], "before the outage")
            await carol_a.next("message.new")
            assert (await bob_b.next("message.new"))["message"]["id"] == before["id"]

            redis_server.stop()
            during = await alice.say(group["id"], "while redis is down")
            # Node A still serves its own users; node B cannot hear about it yet.
            assert (await carol_a.next("message.new"))["message"]["id"] == during["id"]
            assert await bob_b.quiet("message.new", 1.0) == []

            redis_server.start()
            # On reconnecting to Redis each node asks its clients to catch up.
            assert await bob_b.close_code(within=20) == 1012
        async with open_socket(b.ws_url, bob.token, since=before["id"]) as bob_again:
            assert (await bob_again.next("message.new"))["message"]["id"] == during["id"]
            await _settle(bob_again)
            after = await alice.say(group["id"], "redis is back")
            assert (await bob_again.next("message.new"))["message"]["id"] == after["id"]
