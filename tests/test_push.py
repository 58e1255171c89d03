"""Web Push end to end: keys, subscriptions, and pushes a local push service decrypts."""

import asyncio
import json
import os
import stat
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from py_vapid import Vapid02
from sqlalchemy import event

from parley.actions.context import Context
from parley.app.startup import prepare
from parley.config import VAPID_FILE, Settings
from parley.core.events import Event
from parley.db.database import create_engine, create_sessionmaker
from parley.notifications.delivery import DeliveryLog
from parley.notifications.sender import Outgoing, Policy, Poster
from parley.notifications.webpush import Vapid, check_address, endpoint_problem, new_private_key
from parley.notifications.worker import PushJob
from tests.nodes import Node, RedisServer, two_nodes
from tests.pushservice import PushService, b64url, push_service, unb64url, vapid_claims
from tests.sockets import Socket, open_socket
from tests.support import (
    Api,
    RunningServer,
    User,
    empty_tables,
    serve,
    test_settings,
)


@pytest.fixture(scope="module")
async def push_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningServer]:
    """A node whose push worker may post to http://127.0.0.1 (the local push service)."""
    settings = test_settings(
        database_url,
        tmp_path_factory.mktemp("push-data"),
        web_push=True,
        push_unsafe_allow_http_loopback_for_tests=True,
        push_backoff_seconds=0.01,
        push_attempts=3,
        push_timeout_seconds=5,
    )
    async with serve(settings) as running:
        yield running


@pytest.fixture
async def papi(push_server: RunningServer, database_url: str) -> AsyncIterator[Api]:
    await empty_tables(database_url)
    async with httpx.AsyncClient(base_url=push_server.base_url, timeout=30) as client:
        yield Api(client)


@pytest.fixture
async def service() -> AsyncIterator[PushService]:
    async with push_service() as running:
        yield running


def _ctx(server: RunningServer) -> Context:
    ctx: Context = server.app.state.parley
    return ctx


async def _drained(server: RunningServer) -> None:
    """Wait until the node's push worker has handled everything queued so far."""
    await asyncio.sleep(0.05)  # the send's on-commit hook has run by now
    await asyncio.wait_for(_ctx(server).push.idle(), 20)


async def _subscribe(user: User, body: dict[str, Any]) -> httpx.Response:
    return await user.post("/push/subscriptions", json=body)


async def _devices(user: User) -> list[dict[str, Any]]:
    r = await user.get("/push/subscriptions")
    assert r.status_code == 200, r.text
    return list(r.json())


async def _settle(sock: Socket) -> None:
    await sock.send({"type": "ping"})
    await sock.next("pong")


def _ctx_engine() -> Any:
    return create_engine("sqlite+aiosqlite://")


async def _no_publish(_event: Event) -> None:
    return None


# --- the key --------------------------------------------------------------------------


def test_the_vapid_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 40)
    first = prepare(settings)
    assert first.vapid_private_key and len(unb64url(first.vapid_private_key)) == 32
    path = tmp_path / VAPID_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert prepare(settings).vapid_private_key == first.vapid_private_key  # kept
    given = new_private_key()
    assert (
        prepare(settings.model_copy(update={"vapid_private_key": given})).vapid_private_key == given
    )
    # Several nodes cannot share a generated file: without a configured key, push is off.
    clustered = Settings(data_dir=tmp_path / "n", secret_key="s" * 40, redis_url="redis://x")
    assert prepare(clustered).vapid_private_key == ""
    assert not (tmp_path / "n" / VAPID_FILE).exists()
    # Turned off: no key is made at all.
    off = Settings(data_dir=tmp_path / "off", secret_key="s" * 40, web_push=False)
    assert prepare(off).vapid_private_key == ""
    assert not (tmp_path / "off" / VAPID_FILE).exists()


async def test_the_public_key_is_an_uncompressed_p256_point(
    papi: Api, push_server: RunningServer
) -> None:
    r = await papi.client.get("/push/key")
    assert r.status_code == 200
    key = r.json()["vapid_public_key"]
    assert "=" not in key and "+" not in key and "/" not in key  # URL-safe, unpadded
    point = unb64url(key)
    assert len(point) == 65 and point[0] == 4
    assert key == _ctx(push_server).vapid.public_key  # type: ignore[union-attr]


async def test_without_a_key_push_is_off(tmp_path: Path) -> None:
    """Several nodes and no configured key: no key is offered, nothing is subscribed."""
    settings = test_settings(
        "sqlite+aiosqlite://", tmp_path, redis_url="redis://127.0.0.1:1", web_push=True
    )
    assert prepare(settings).vapid_private_key == ""
    ctx = Context.create(prepare(settings), _ctx_engine(), _no_publish, set())
    assert ctx.vapid is None and not ctx.push.enabled
    assert ctx.push.offer(PushJob(1, 1, 1, frozenset({2}))) is False
    await ctx.push_process.close()


@pytest.mark.parametrize(
    ("endpoint", "allowed", "problem"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", False, None),
        ("https://updates.push.services.mozilla.com/wpush/v2/x", False, None),
        ("http://fcm.googleapis.com/fcm/send/abc", False, "https"),
        ("https://10.1.2.3/push", False, "public"),
        ("https://169.254.169.254/latest", False, "public"),
        ("https://[::1]/push", False, "public"),
        ("https://[::ffff:192.168.0.1]/push", False, "public"),
        ("https://localhost/push", False, "public"),
        ("https://intranet/push", False, "public"),
        ("http://127.0.0.1:8080/push", False, "https"),
        ("http://127.0.0.1:8080/push", True, None),  # the test-only allowance
        ("http://10.1.2.3/push", True, "https"),  # ... covers loopback alone
        ("http://[/push", False, "valid"),
        ("https://host:99999/push", False, "valid"),
        ("mailto:someone@example.com", False, "valid"),
    ],
)
def test_endpoints_must_be_public_https(endpoint: str, allowed: bool, problem: str | None) -> None:
    found = endpoint_problem(endpoint, allowed)
    assert (found is None) if problem is None else (found is not None and problem in found)


async def test_a_name_that_resolves_to_a_private_address_is_not_pushed_to() -> None:
    assert await check_address("https://localhost/push", allow_loopback=False) is not None
    assert await check_address("https://localhost/push", allow_loopback=True) is None


def test_one_vapid_signature_serves_a_push_service_for_half_its_life() -> None:
    vapid = Vapid.from_private(new_private_key(), "mailto:admin@example.org")
    first = vapid.headers("https://fcm.googleapis.com/fcm/send/a")
    assert vapid.headers("https://fcm.googleapis.com/fcm/send/b") is first  # same service
    other = vapid.headers("https://updates.push.services.mozilla.com/wpush/v2/x")
    assert other["Authorization"] != first["Authorization"]
    scheme, _, params = first["Authorization"].partition(" ")
    assert scheme == "vapid" and Vapid02.verify(first["Authorization"])
    token = dict(part.split("=", 1) for part in params.split(","))["t"]
    claims = json.loads(unb64url(token.split(".")[1]))
    assert claims["aud"] == "https://fcm.googleapis.com"
    assert claims["exp"] - time.time() > 11 * 3600  # RFC 8292: at most 24 h
    # Past half its life, a token is signed anew.
    aud, (_, signed) = next(iter(vapid._signed.items()))
    vapid._signed[aud] = (int(time.time()) + 3600, signed)
    assert vapid.headers("https://fcm.googleapis.com/fcm/send/a") is not first


async def test_an_address_that_is_not_public_is_refused_before_any_post() -> None:
    poster = Poster(
        Policy(timeout_seconds=1, attempts=1, backoff_seconds=0.01, allow_http_loopback=False)
    )
    vapid = Vapid.from_private(new_private_key(), "mailto:admin@example.org")
    # A private address is refused before any post: the outcomes say why, in order.
    refused = Outgoing(1, "https://10.0.0.1/push", "key", "auth", {"type": "test"})
    outcome = (None, "10.0.0.1 resolves to a non-public address (10.0.0.1)")
    assert await poster.push(vapid, [refused, refused], "parley-test") == [outcome, outcome]
    await poster.close()


async def test_the_next_job_is_read_only_once_the_pushes_before_it_are_under_way(
    service: PushService,
) -> None:
    """`Poster.room` holds the next message's reads back while pushes still wait for a
    post; a push in flight to a slow service does not count."""
    poster = Poster(
        Policy(
            timeout_seconds=5,
            attempts=1,
            backoff_seconds=0.01,
            allow_http_loopback=True,
            posts=2,
        )
    )
    vapid = Vapid.from_private(new_private_key(), "mailto:admin@example.org")
    service.delay["slow"] = 0.5
    sub = service.subscriber("slow").subscription()
    push = Outgoing(1, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], {"n": 1})
    pushing = asyncio.create_task(poster.push(vapid, [push] * 5, "parley-test"))
    await asyncio.sleep(0.2)
    assert poster.backlog == 3  # two posts under way, three waiting for them
    room = asyncio.create_task(poster.room())
    await asyncio.sleep(0.1)
    assert not room.done()
    await asyncio.wait_for(room, 5)  # the first two answered: the next two under way
    assert poster.backlog < 2
    assert [status for status, _ in await pushing] == [201] * 5
    assert poster.backlog == 0
    # A key no push can be encrypted for: that device's outcome says so, nothing is
    # posted or retried, and it leaves the backlog like any other.
    bad = Outgoing(2, sub["endpoint"], "not-a-key", sub["keys"]["auth"], {"n": 2})
    ((status, error),) = await poster.push(vapid, [bad], "parley-test")
    assert status is None and error
    assert len(service.to("slow")) == 5 and poster.backlog == 0
    await poster.close()


async def test_the_push_process_is_restarted_after_dying_and_stops_with_the_node(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob = await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    phone = service.subscriber("bob")
    await _subscribe(bob, phone.subscription())
    process = _ctx(push_server).push_process
    await alice.say(chat["id"], "first")
    await service.wait_for("bob")
    await _drained(push_server)
    child = process._child
    assert child is not None and child.process.returncode is None
    assert os.getpriority(os.PRIO_PROCESS, child.process.pid) > os.getpriority(
        os.PRIO_PROCESS, 0
    )  # it yields the CPU to the node
    child.process.kill()
    await child.process.wait()
    started = process.started
    await alice.say(chat["id"], "second")  # pushed by a new process
    pushes = await service.wait_for("bob", count=2)
    assert phone.decrypt(pushes[-1])["message_id"] > phone.decrypt(pushes[0])["message_id"]
    assert process.started == started + 1
    await _drained(push_server)
    child = process._child
    assert child is not None
    await process.close()
    assert child.process.returncode == 0
    await process.close()  # twice is harmless


# --- subscriptions --------------------------------------------------------------------


async def test_subscription_lifecycle(papi: Api, service: PushService) -> None:
    alice = await papi.user()
    device = service.subscriber("alice-phone")
    r = await _subscribe(alice, device.subscription("Phone"))
    assert r.status_code == 201, r.text
    assert (await _subscribe(alice, device.subscription())).status_code == 200  # known
    (listed,) = await _devices(alice)
    assert listed["endpoint"] == device.endpoint and listed["device"] == "Phone"
    assert listed["deliveries"] == []
    # Bad input: 422 with a detail, nothing stored.
    bad_key = {**device.subscription(), "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
    off_curve = b64url(b"\x04" + b"\x01" * 64)  # the right shape, but not a curve point
    off_curve_key = {**device.subscription(), "keys": {**bad_key["keys"], "p256dh": off_curve}}
    off_curve_key["keys"]["auth"] = device.subscription()["keys"]["auth"]
    for body in (
        {**device.subscription(), "endpoint": "http://push.example.com/x"},  # not https
        {**device.subscription(), "endpoint": "ftp://127.0.0.1/x"},
        {**device.subscription(), "endpoint": "not a url"},
        bad_key,
        off_curve_key,
        {"endpoint": device.endpoint},
    ):
        r = await _subscribe(alice, body)
        assert r.status_code == 422 and r.json()["detail"], (body, r.text)
    # One per endpoint: the browser profile signed in by someone else moves to them.
    bob = await papi.user()
    assert (await _subscribe(bob, device.subscription())).status_code == 201
    assert await _devices(alice) == []
    assert len(await _devices(bob)) == 1
    # Removed by the owner (204, and 204 again: nothing left to remove).
    for _ in range(2):
        r = await bob.client.request(
            "DELETE", "/push/subscriptions", json={"endpoint": device.endpoint}, headers=bob.headers
        )
        assert r.status_code == 204
    assert await _devices(bob) == []
    assert (
        await papi.client.post("/push/subscriptions", json=device.subscription())
    ).status_code == 401


async def test_signing_out_removes_that_sign_ins_subscriptions(
    papi: Api, service: PushService
) -> None:
    alice = await papi.user()
    laptop = service.subscriber("laptop")
    assert (await _subscribe(alice, laptop.subscription())).status_code == 201
    # A second sign-in (another device) with a subscription of its own.
    r = await papi.client.post(
        "/auth/login", json={"username": alice.username, "password": "correct horse battery"}
    )
    phone_user = User(
        alice.id, alice.username, alice.email, r.json()["access_token"], "", papi.client
    )
    phone = service.subscriber("phone")
    assert (await _subscribe(phone_user, phone.subscription())).status_code == 201
    assert (await alice.post("/auth/logout")).status_code == 204
    (left,) = await _devices(phone_user)
    assert left["endpoint"] == phone.endpoint


# --- pushes ---------------------------------------------------------------------------


async def test_a_push_is_encrypted_signed_and_carries_no_text_unless_asked(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice = await papi.user(display_name="Alice A.")
    bob = await papi.user()
    chat = await alice.direct_chat(bob)
    phone = service.subscriber("bob")
    assert (await _subscribe(bob, phone.subscription())).status_code == 201
    sent = await alice.say(chat["id"], "secret plans")
    (push,) = await service.wait_for("bob")
    payload = phone.decrypt(push)
    assert payload == {
        "type": "message",
        "tag": f"chat-{chat['id']}",
        "chat_id": chat["id"],
        "chat_name": "Alice A.",
        "sender_name": "Alice A.",
        "message_id": sent["id"],
    }
    assert b"secret" not in push.body
    key = (await papi.client.get("/push/key")).json()["vapid_public_key"]
    claims = vapid_claims(push, key)
    assert claims["aud"] == service.base_url
    assert claims["sub"].startswith("mailto:")
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert int(push.headers["ttl"]) > 0
    assert push.headers["topic"] == f"chat-{chat['id']}"
    # Opted in: the text comes along; in a group, the chat's own name.
    await bob.patch("/users/me/notifications", json={"push_previews": True})
    group = await alice.group("Plans", bob)
    sent = await alice.say(group["id"], "secret plans")
    payload = phone.decrypt((await service.wait_for("bob", 2))[1])
    assert payload["text"] == "secret plans" and payload["chat_name"] == "Plans"
    await _drained(push_server)
    (device,) = await _devices(bob)
    assert [d["status"] for d in device["deliveries"]] == [201, 201]
    assert device["deliveries"][0]["message_id"] == sent["id"]  # newest first
    assert device["deliveries"][0]["error"] is None


async def test_nobody_is_pushed_who_is_online_or_said_no(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob = await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    phone = service.subscriber("bob")
    await _subscribe(bob, phone.subscription())
    alices = service.subscriber("alice")
    await _subscribe(alice, alices.subscription())
    # Bob has a live socket: the app shows it, no push.
    async with open_socket(push_server.ws_url, bob.token) as sock:
        await _settle(sock)
        await alice.say(chat["id"], "you are here")
        await _drained(push_server)
    assert service.to("bob") == []
    assert service.to("alice") == []  # never about one's own message
    # Muted for an hour, then notify none: silence.
    until = "2999-01-01T00:00:00+00:00"
    await bob.patch(f"/chats/{chat['id']}/settings", json={"muted_until": until})
    await alice.say(chat["id"], "muted")
    await bob.patch(f"/chats/{chat['id']}/settings", json={"muted_until": None, "notify": "none"})
    await alice.say(chat["id"], "none")
    await bob.patch(f"/chats/{chat['id']}/settings", json={"notify": "mentions"})
    await alice.say(chat["id"], "not a mention")
    await _drained(push_server)
    assert service.to("bob") == []
    # Back to all: pushed.
    await bob.patch(f"/chats/{chat['id']}/settings", json={"notify": "all"})
    sent = await alice.say(chat["id"], "now")
    (push,) = await service.wait_for("bob")
    assert phone.decrypt(push)["message_id"] == sent["id"]


async def test_mentions_only_hears_of_mentions_and_replies_to_me(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob, carol = await papi.user(), await papi.user(), await papi.user()
    group = await alice.group("Busy", bob, carol)
    phone = service.subscriber("bob")
    await _subscribe(bob, phone.subscription())
    await bob.patch(f"/chats/{group['id']}/settings", json={"notify": "mentions"})
    mine = await bob.say(group["id"], "my question")
    await alice.say(group["id"], "chatter")
    await carol.say(group["id"], f"@{carol.username} talks to herself")
    mention = await alice.say(group["id"], f"hey @{bob.username}")
    (push,) = await service.wait_for("bob")
    assert phone.decrypt(push)["message_id"] == mention["id"]
    reply = await carol.say(group["id"], "an answer", reply_to_id=mine["id"])
    pushes = await service.wait_for("bob", count=2)
    assert phone.decrypt(pushes[-1])["message_id"] == reply["id"]
    await _drained(push_server)
    assert len(service.to("bob")) == 2


async def test_quiet_hours_hold_pushes_except_from_allowed_people(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob, carol = await papi.user(), await papi.user(), await papi.user()
    group = await alice.group("Night", bob, carol)
    phone = service.subscriber("bob")
    await _subscribe(bob, phone.subscription())
    # Quiet from an hour ago to an hour from now, in UTC.
    now = datetime.now(UTC)
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=1)).strftime("%H:%M")
    body = {
        "quiet_hours": {"start": start, "end": end, "time_zone": "UTC"},
        "allowed_user_ids": [carol.id],
    }
    assert (await bob.patch("/users/me/notifications", json=body)).status_code == 200
    await alice.say(group["id"], "at night")
    sent = await carol.say(group["id"], "from a friend")
    (push,) = await service.wait_for("bob")
    assert phone.decrypt(push)["message_id"] == sent["id"]
    await _drained(push_server)
    assert len(service.to("bob")) == 1  # Alice's message was held
    assert (await _devices(bob))[0]["deliveries"][0]["message_id"] == sent["id"]


async def test_gone_subscriptions_are_removed(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob = await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    service.status["old"] = 410
    service.status["lost"] = 404
    service.status["fine"] = 201
    for name in ("old", "lost", "fine"):
        await _subscribe(bob, service.subscriber(name).subscription(name))
    await alice.say(chat["id"], "anyone?")
    await service.wait_for("old")
    await service.wait_for("lost")
    await _drained(push_server)
    assert [d["device"] for d in await _devices(bob)] == ["fine"]
    text = (await papi.client.get("/metrics")).text
    assert 'parley_pushes_total{outcome="gone"}' in text
    assert 'parley_pushes_total{outcome="accepted"}' in text


async def test_a_slow_or_failing_push_service_delays_nothing(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob, carol = await papi.user(), await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    other = await alice.direct_chat(carol)
    service.delay["slow"] = 3.0
    service.status["broken"] = 503
    await _subscribe(bob, service.subscriber("slow").subscription())
    await _subscribe(carol, service.subscriber("broken").subscription())
    started = time.monotonic()
    for i in range(5):
        await alice.say(chat["id"], f"to the slow one {i}")
        await alice.say(other["id"], f"to the broken one {i}")
    took = time.monotonic() - started
    assert took < 2.5, took  # ten sends answered while the first push still waits
    # The broken service was tried push_attempts times per message, then logged.
    await service.wait_for("broken", 15)
    await _drained(push_server)
    (device,) = await _devices(carol)
    assert len(device["deliveries"]) == 5
    assert all(d["status"] == 503 and "3 attempts" in d["error"] for d in device["deliveries"])
    assert len(service.to("slow")) == 5


async def test_the_test_notification(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice = await papi.user()
    r = await alice.post("/push/test")
    assert r.status_code == 202 and r.json() == {"devices": 0}
    phone = service.subscriber("phone")
    await _subscribe(alice, phone.subscription())
    async with open_socket(push_server.ws_url, alice.token) as sock:  # online: still sent
        await _settle(sock)
        r = await alice.post("/push/test")
        assert r.status_code == 202 and r.json() == {"devices": 1}
        (push,) = await service.wait_for("phone")
    assert phone.decrypt(push)["type"] == "test"
    await _drained(push_server)
    (device,) = await _devices(alice)
    assert device["deliveries"][0]["message_id"] is None
    assert device["deliveries"][0]["status"] == 201


async def test_the_delivery_log_keeps_the_last_twenty(
    papi: Api, push_server: RunningServer, service: PushService
) -> None:
    alice, bob = await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    await _subscribe(bob, service.subscriber("bob").subscription())
    sent = [(await alice.say(chat["id"], f"m{i}"))["id"] for i in range(23)]
    await service.wait_for("bob", 23)
    await _drained(push_server)
    (device,) = await _devices(bob)
    logged = [d["message_id"] for d in device["deliveries"]]
    # The oldest three are gone. Pushes run a few at a time, so the log is in the order
    # the push service answered, which may differ from the sends' order by a little.
    assert len(logged) == len(set(logged)) == 20 and set(logged) <= set(sent)
    assert sent[-1] in logged


async def test_delivery_log_lines_arriving_during_a_write_go_in_one_commit(
    papi: Api, database_url: str, service: PushService
) -> None:
    bob = await papi.user()
    await _subscribe(bob, service.subscriber("bob").subscription())
    (device,) = await _devices(bob)
    engine = create_engine(database_url)
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
    log = DeliveryLog(create_sessionmaker(engine), pause=0.3)
    try:
        await log.write([], [(device["id"], None, 201, None)])  # alone: written at once
        assert len(commits) == 1
        # Three more while the writer pauses: one batch, one commit.
        await asyncio.gather(
            *(log.write([], [(device["id"], None, status, None)]) for status in (201, 429, 503))
        )
        assert len(commits) == 2
    finally:
        await log.close()
        await engine.dispose()
    (device,) = await _devices(bob)
    assert sorted(d["status"] for d in device["deliveries"]) == [201, 201, 429, 503]


# --- two nodes --------------------------------------------------------------------------


@pytest.fixture
async def nodes(redis_server: RedisServer, tmp_path: Path) -> AsyncIterator[tuple[Node, Node]]:
    push = {
        "PARLEY_VAPID_PRIVATE_KEY": new_private_key(),  # one key for every node
        "PARLEY_PUSH_UNSAFE_ALLOW_HTTP_LOOPBACK_FOR_TESTS": "true",
    }
    async with two_nodes(redis_server.url, tmp_path, push) as pair:
        yield pair


async def test_no_push_while_a_socket_is_live_on_another_node(
    nodes: tuple[Node, Node], service: PushService
) -> None:
    a, b = nodes
    async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as ca:
        api = Api(ca)
        alice, bob = await api.user(), await api.user()
        chat = await alice.direct_chat(bob)
        phone = service.subscriber("bob")
        assert (await _subscribe(bob, phone.subscription())).status_code == 201
        # Bob's only socket is on node B; Alice sends through node A, whose worker pushes.
        async with open_socket(b.ws_url, bob.token) as sock:
            await _settle(sock)
            await alice.say(chat["id"], "he is on the other node")
            await sock.next("message.new")
            await asyncio.sleep(1.5)  # node A's worker has long decided by now
            assert service.to("bob") == []
        # Gone from node B (its presence claim left Redis with it): the next is pushed.
        sent = await alice.say(chat["id"], "now he is away")
        (push,) = await service.wait_for("bob")
        assert phone.decrypt(push)["message_id"] == sent["id"]


async def test_the_send_path_gains_no_statement(papi: Api, push_server: RunningServer) -> None:
    """Pushes cost a send nothing, and the node no statement: the push process asks."""
    alice, bob = await papi.user(), await papi.user()
    chat = await alice.direct_chat(bob)
    ctx = _ctx(push_server)
    engine = ctx.engine.sync_engine

    async def statements_of_a_send() -> int:
        seen: list[str] = []

        def on_execute(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            await alice.say(chat["id"], "hello")
            await _drained(push_server)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        return len(seen)

    await alice.say(chat["id"], "warm up")
    async with open_socket(push_server.ws_url, bob.token) as sock:
        await _settle(sock)  # Bob is online: the worker needs no statement at all
        with_push = await statements_of_a_send()
        ctx.push.enabled = False
        try:
            without_push = await statements_of_a_send()
        finally:
            ctx.push.enabled = True
    assert with_push == without_push
    # Bob offline with no subscription: the push process (not the node) asks who is.
    await asyncio.sleep(0.2)  # his socket's presence has been withdrawn
    handed = ctx.push_process.jobs
    assert await statements_of_a_send() == with_push
    assert ctx.push_process.jobs == handed + 1
