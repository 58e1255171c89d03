"""Accounts on one node: the first admin, registration modes, invites, e-mail rules, the
admin routes, reset links and "my devices" (SQLite and MariaDB, real sockets)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from parley.db.database import create_engine
from tests.sockets import Socket, open_socket
from tests.support import PASSWORD, Api, RunningServer, User, serve, test_settings

Other = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


async def _sql(url: str, statement: str, **params: Any) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement), params)
    finally:
        await engine.dispose()


@pytest.fixture
def other_server(database_url: str, tmp_path: Path) -> Other:
    """Another node on the same (emptied) database, with settings of the test's choosing."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = test_settings(database_url, tmp_path, **overrides)
        async with (
            serve(settings) as running,
            httpx.AsyncClient(base_url=running.base_url, timeout=30) as client,
        ):
            yield client

    return start


def _signup(name: str | None = None, **extra: Any) -> dict[str, Any]:
    name = name or f"u{uuid.uuid4().hex[:10]}"
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD} | extra


async def _login(client: httpx.AsyncClient, name: str, device: str | None = None) -> User:
    body = {"username": name, "password": PASSWORD} | ({"device": device} if device else {})
    r = await client.post("/auth/login", json=body)
    assert r.status_code == 200, r.text
    me = (await client.get("/auth/me", headers=_bearer(r.json()["access_token"]))).json()
    token = r.json()
    return User(me["id"], name, me["email"], token["access_token"], token["refresh_token"], client)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _settle(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def _refresh(user: User) -> httpx.Response:
    return await user.client.post("/auth/refresh", json={"refresh_token": user.refresh_token})


# --- the first admin -------------------------------------------------------------------


async def test_the_first_account_is_the_admin(api: Api) -> None:
    options = (await api.client.get("/auth/options")).json()
    assert options == {"registration": "open", "email_required": True, "first_account": True}
    first, second = await api.user(), await api.user()
    assert (await first.get("/auth/me")).json()["is_admin"] is True
    assert (await second.get("/auth/me")).json()["is_admin"] is False
    assert (await api.client.get("/auth/options")).json()["first_account"] is False


async def test_racing_first_registrations_make_exactly_one_admin(api: Api) -> None:
    answers = await asyncio.gather(
        *(api.client.post("/auth/register", json=_signup()) for _ in range(10))
    )
    assert [r.status_code for r in answers] == [201] * 10, [r.text for r in answers]
    assert sum(r.json()["is_admin"] for r in answers) == 1


# --- registration modes and invites ----------------------------------------------------


async def test_closed_registration_refuses_everyone(api: Api, other_server: Other) -> None:
    async with other_server(registration="closed") as client:
        assert (await client.get("/auth/options")).json()["registration"] == "closed"
        r = await client.post("/auth/register", json=_signup())
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
        assert "administrator" in r.json()["detail"]


async def test_invite_mode_needs_a_valid_invite_but_for_the_first_account(
    api: Api, other_server: Other, database_url: str
) -> None:
    async with other_server(registration="invite") as client:
        first = _signup()
        r = await client.post("/auth/register", json=first)
        assert r.status_code == 201 and r.json()["is_admin"] is True  # sets the server up
        admin = await _login(client, first["username"])
        r = await client.post("/auth/register", json=_signup())
        assert r.status_code == 403 and "invitation" in r.json()["detail"]
        r = await client.post("/auth/register", json=_signup(invite="no-such-invite"))
        assert r.status_code == 403 and "invite link" in r.json()["detail"]

        r = await admin.post("/invites", json={})
        assert r.status_code == 201, r.text
        invite = r.json()
        assert invite["max_uses"] == 1 and invite["uses"] == 0 and invite["revoked"] is False
        assert invite["url"].endswith(f"/?invite={invite['token']}")
        assert invite["joined"] == []
        joiner = _signup(invite=invite["token"])
        r = await client.post("/auth/register", json=joiner)
        assert r.status_code == 201, r.text
        assert r.json()["is_admin"] is False
        # Used up.
        r = await client.post("/auth/register", json=_signup(invite=invite["token"]))
        assert r.status_code == 403
        listed = (await admin.get("/invites")).json()
        assert listed[0]["uses"] == 1
        assert [j["username"] for j in listed[0]["joined"]] == [joiner["username"]]

        # Unlimited, then revoked; and one that expired.
        unlimited = (await admin.post("/invites", json={"max_uses": None})).json()
        for _ in range(3):
            r = await client.post("/auth/register", json=_signup(invite=unlimited["token"]))
            assert r.status_code == 201
        assert (await admin.delete(f"/invites/{unlimited['token']}")).status_code == 204
        r = await client.post("/auth/register", json=_signup(invite=unlimited["token"]))
        assert r.status_code == 403
        expiring = (await admin.post("/invites", json={"expires_in_hours": 1})).json()
        await _sql(
            database_url,
            "UPDATE invites SET expires_at = '2020-01-01 00:00:00' WHERE token = :t",
            t=expiring["token"],
        )
        r = await client.post("/auth/register", json=_signup(invite=expiring["token"]))
        assert r.status_code == 403
        listed = (await admin.get("/invites")).json()
        assert [i["token"] for i in listed] == [
            expiring["token"],
            unlimited["token"],
            invite["token"],
        ]  # newest first, revoked ones included
        assert [i["revoked"] for i in listed] == [False, True, False]
        assert (await admin.delete("/invites/nonesuch")).status_code == 404
        for bad in ({"expires_in_hours": 0}, {"expires_in_hours": 721}, {"max_uses": 0}):
            assert (await admin.post("/invites", json=bad)).status_code == 422


async def test_ten_registrations_on_a_one_use_invite_make_one_account(
    api: Api, other_server: Other
) -> None:
    admin = await api.user()
    token = (await admin.post("/invites", json={"max_uses": 1})).json()["token"]
    async with other_server(registration="invite") as client:
        answers = await asyncio.gather(
            *(client.post("/auth/register", json=_signup(invite=token)) for _ in range(10))
        )
    assert sorted(r.status_code for r in answers) == [201] + [403] * 9
    invite = (await admin.get("/invites")).json()[0]
    assert invite["uses"] == 1 and len(invite["joined"]) == 1


async def test_public_url_makes_the_links(api: Api, other_server: Other) -> None:
    admin = await api.user()
    async with other_server(public_url="https://chat.example.org/") as client:
        admin.client = client
        invite = (await admin.post("/invites")).json()
        assert invite["url"] == f"https://chat.example.org/?invite={invite['token']}"
        link = (await admin.post(f"/admin/users/{admin.id}/reset-link")).json()
        assert link["url"] == f"https://chat.example.org/?reset={link['token']}"


# --- e-mail ----------------------------------------------------------------------------


async def test_email_is_checked_for_syntax_only(api: Api) -> None:
    for email in ("ana@example.test", "x@corp.local", "y@home.lan"):
        name = f"e{uuid.uuid4().hex[:8]}"
        r = await api.client.post("/auth/register", json=_signup(name, email=email))
        assert r.status_code == 201, r.text
        assert r.json()["email"] == email
    for bad in ("not-an-email", "a@@b.lan", "a b@corp.local", "@home.lan"):
        r = await api.client.post("/auth/register", json=_signup(email=bad))
        assert r.status_code == 422, bad
        assert "email" in str(r.json()["detail"])


async def test_accounts_without_email_only_when_the_admin_allows(api: Api) -> None:
    admin = await api.user()
    nameless = _signup()
    del nameless["email"]
    r = await api.client.post("/auth/register", json=nameless)
    assert r.status_code == 422 and "e-mail address is required" in r.text
    r = await admin.patch("/admin/server", json={"email_required": False})
    assert r.status_code == 200 and r.json()["email_required"] is False
    assert (await api.client.get("/auth/options")).json()["email_required"] is False
    r = await api.client.post("/auth/register", json=nameless)
    assert r.status_code == 201, r.text
    assert r.json()["email"] is None
    other = _signup(email=None)
    assert (await api.client.post("/auth/register", json=other)).status_code == 201
    me = await _login(api.client, nameless["username"])
    assert (await me.get("/auth/me")).json()["email"] is None
    await admin.patch("/admin/server", json={"email_required": True})
    assert (await api.client.post("/auth/register", json=_signup(email=None))).status_code == 422


# --- admin routes ----------------------------------------------------------------------

ADMIN_ROUTES = (
    ("GET", "/admin/users"),
    ("GET", "/admin/users?q=a"),
    ("POST", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/reactivate"),
    ("POST", "/admin/users/{id}/promote"),
    ("POST", "/admin/users/{id}/demote"),
    ("POST", "/admin/users/{id}/reset-link"),
    ("GET", "/admin/server"),
    ("PATCH", "/admin/server"),
    ("POST", "/invites"),
    ("GET", "/invites"),
    ("DELETE", "/invites/{token}"),
)


async def test_every_admin_route_refuses_others(api: Api) -> None:
    admin, plain = await api.user(), await api.user()
    token = (await admin.post("/invites")).json()["token"]
    for method, template in ADMIN_ROUTES:
        path = template.format(id=admin.id, token=token)
        body = {"json": {}} if method in ("POST", "PATCH") else {}
        r = await api.client.request(method, path, **body)
        assert r.status_code == 401, (method, path, r.text)
        r = await api.client.request(method, path, headers=plain.headers, **body)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["code"] == "forbidden"
    # Nothing changed on the way.
    rows = {u["id"]: u for u in (await admin.get("/admin/users")).json()}
    assert rows[admin.id]["is_admin"] and rows[admin.id]["is_active"]
    assert (await admin.get("/invites")).json()[0]["revoked"] is False


async def test_accounts_and_server_as_the_admin_sees_them(api: Api) -> None:
    admin = await api.user("adminann")
    bob = await api.user("bobby", display_name="Robert")
    await _login(api.client, "bobby")  # a second session
    chat = await admin.direct_chat(bob)
    await admin.say(chat["id"], "hello")
    rows = (await admin.get("/admin/users")).json()
    assert [r["username"] for r in rows] == ["bobby", "adminann"]  # newest first
    assert set(rows[0]) == {
        "id",
        "username",
        "display_name",
        "email",
        "is_admin",
        "is_active",
        "created_at",
        "last_seen_at",
        "active_sessions",
    }
    assert rows[0]["active_sessions"] == 2 and rows[1]["active_sessions"] == 1
    assert rows[0]["last_seen_at"] is not None
    assert [r["username"] for r in (await admin.get("/admin/users?q=rob")).json()] == ["bobby"]
    assert [r["username"] for r in (await admin.get("/admin/users?q=ANN")).json()] == ["adminann"]
    assert (await admin.get("/admin/users?q=zzz")).json() == []
    info = (await admin.get("/admin/server")).json()
    assert info | {"version": "x"} == {
        "users": 2,
        "active_users": 2,
        "admins": 1,
        "chats": 1,
        "messages": 1,
        "attachments": 0,
        "attachment_bytes": 0,
        "nodes_online": 1,
        "registration": "open",
        "email_required": True,
        "version": "x",
    }
    assert info["version"]


async def test_the_last_admin_stays(api: Api) -> None:
    admin, bob = await api.user(), await api.user()
    for action in ("demote", "deactivate"):
        r = await admin.post(f"/admin/users/{admin.id}/{action}")
        assert r.status_code == 409, action
        assert "last active administrator" in r.json()["detail"]
    assert (await admin.post(f"/admin/users/{bob.id}/promote")).status_code == 204
    assert (await bob.get("/auth/me")).json()["is_admin"] is True
    assert (await bob.get("/admin/server")).status_code == 200
    # Another admin remains: now either may step down, but not both.
    assert (await admin.post(f"/admin/users/{admin.id}/demote")).status_code == 204
    assert (await bob.post(f"/admin/users/{bob.id}/demote")).status_code == 409
    assert (await admin.get("/admin/server")).status_code == 403
    assert (await bob.post("/admin/users/999999/promote")).status_code == 404
    assert (await bob.post("/admin/users/999999/deactivate")).status_code == 404
    # Deactivating yourself needs another active admin too.
    assert (await bob.post(f"/admin/users/{admin.id}/promote")).status_code == 204
    assert (await bob.post(f"/admin/users/{bob.id}/deactivate")).status_code == 204
    assert (await admin.post(f"/admin/users/{admin.id}/deactivate")).status_code == 409


async def test_deactivation_ends_everything_and_reactivation_lets_back_in(
    api: Api, server: RunningServer
) -> None:
    admin, bob = await api.user(), await api.user()
    chat = await admin.direct_chat(bob)
    said = await bob.say(chat["id"], "my words stay")
    async with (
        open_socket(server.ws_url, bob.token) as one,
        open_socket(server.ws_url, bob.token, chat_id=chat["id"]) as two,
        open_socket(server.ws_url, admin.token) as admins,
    ):
        await _settle(one, two, admins)
        assert (await admin.post(f"/admin/users/{bob.id}/deactivate")).status_code == 204
        assert await one.close_code() == 4401
        assert await two.close_code() == 4401
        await _settle(admins)  # other people's sockets stay
    assert (await bob.get("/auth/me")).status_code == 401
    assert (await _refresh(bob)).status_code == 401
    r = await api.client.post("/auth/login", json={"username": bob.username, "password": PASSWORD})
    assert r.status_code == 401 and "deactivated" in r.json()["detail"]
    async with open_socket(server.ws_url, bob.token) as sock:
        assert await sock.close_code() == 4401
    history = (await admin.get(f"/chats/{chat['id']}/messages")).json()
    assert said["id"] in [m["id"] for m in history]
    rows = {u["id"]: u for u in (await admin.get("/admin/users")).json()}
    assert rows[bob.id]["is_active"] is False and rows[bob.id]["active_sessions"] == 0

    assert (await admin.post(f"/admin/users/{bob.id}/reactivate")).status_code == 204
    back = await _login(api.client, bob.username)
    assert (await back.get("/auth/me")).status_code == 200
    assert (await bob.get("/auth/me")).status_code == 401  # the old sessions stay ended


# --- reset links -----------------------------------------------------------------------


async def test_a_reset_link_works_once_and_ends_every_session(
    api: Api, server: RunningServer, database_url: str
) -> None:
    admin, bob = await api.user(), await api.user()
    r = await admin.post(f"/admin/users/{bob.id}/reset-link")
    assert r.status_code == 201, r.text
    link = r.json()
    assert set(link) == {"url", "token", "expires_at"}
    assert link["url"].endswith(f"/?reset={link['token']}")
    new = "a brand new password"
    async with open_socket(server.ws_url, bob.token) as sock:
        await _settle(sock)
        r = await api.client.post("/auth/reset", json={"token": link["token"], "password": new})
        assert r.status_code == 204, r.text
        assert await sock.close_code() == 4401
    assert (await bob.get("/auth/me")).status_code == 401
    assert (await _refresh(bob)).status_code == 401
    r = await api.client.post("/auth/login", json={"username": bob.username, "password": new})
    assert r.status_code == 200
    old = {"username": bob.username, "password": PASSWORD}
    assert (await api.client.post("/auth/login", json=old)).status_code == 401
    # Spent, unknown, expired: 400 in words.
    for token in (link["token"], "nonsense"):
        r = await api.client.post("/auth/reset", json={"token": token, "password": new})
        assert r.status_code == 400 and "reset link" in r.json()["detail"]
    expired = (await admin.post(f"/admin/users/{bob.id}/reset-link")).json()["token"]
    await _sql(database_url, "UPDATE reset_tokens SET expires_at = '2020-01-01 00:00:00'")
    r = await api.client.post("/auth/reset", json={"token": expired, "password": new})
    assert r.status_code == 400
    fresh = (await admin.post(f"/admin/users/{bob.id}/reset-link")).json()["token"]
    r = await api.client.post("/auth/reset", json={"token": fresh, "password": "short"})
    assert r.status_code == 422
    assert (await admin.post("/admin/users/999999/reset-link")).status_code == 404


async def test_reset_guesses_are_rate_limited(api: Api, other_server: Other) -> None:
    async with other_server(login_attempts=3) as client:
        body = {"token": "guess", "password": "a long enough password"}
        codes = [(await client.post("/auth/reset", json=body)).status_code for _ in range(5)]
    assert codes[:3] == [400] * 3 and codes[3:] == [429, 429]


# --- my devices ------------------------------------------------------------------------


async def test_my_sessions_and_signing_them_out(api: Api, server: RunningServer) -> None:
    await api.user()  # the admin
    bob = await api.user()
    laptop = await _login(api.client, bob.username, "Parley desktop on Windows")
    phone = await _login(api.client, bob.username, "Chrome on Linux")
    r = await laptop.get("/auth/sessions")
    assert r.status_code == 200
    listed = r.json()
    assert len(listed) == 3
    assert set(listed[0]) == {"id", "device", "address", "created_at", "last_active_at", "current"}
    by_device = {s["device"]: s for s in listed}
    assert by_device["Parley desktop on Windows"]["current"] is True
    assert by_device["Chrome on Linux"]["current"] is False
    assert by_device[None]["current"] is False  # the helper's login names no device
    assert {s["address"] for s in listed} == {"127.0.0.1"}
    phone_id = by_device["Chrome on Linux"]["id"]

    async with (
        open_socket(server.ws_url, phone.token) as phone_socket,
        open_socket(server.ws_url, laptop.token) as laptop_socket,
    ):
        await _settle(phone_socket, laptop_socket)
        # Someone else's session, or none, is 404.
        carol = await api.user()
        assert (await carol.delete(f"/auth/sessions/{phone_id}")).status_code == 404
        assert (await laptop.delete("/auth/sessions/999999")).status_code == 404
        assert (await laptop.delete(f"/auth/sessions/{phone_id}")).status_code == 204
        assert await phone_socket.close_code() == 4401
        await _settle(laptop_socket)
    assert (await phone.get("/auth/me")).status_code == 401
    assert (await _refresh(phone)).status_code == 401
    assert len((await laptop.get("/auth/sessions")).json()) == 2

    assert (await laptop.delete("/auth/sessions")).status_code == 204
    assert (await bob.get("/auth/me")).status_code == 401
    remaining = (await laptop.get("/auth/sessions")).json()
    assert [(s["device"], s["current"]) for s in remaining] == [("Parley desktop on Windows", True)]
    assert (await laptop.get("/auth/me")).status_code == 200
    assert (await api.client.get("/auth/sessions")).status_code == 401


async def test_login_device_is_checked(api: Api) -> None:
    bob = await api.user()
    body = {"username": bob.username, "password": PASSWORD, "device": "x" * 101}
    assert (await api.client.post("/auth/login", json=body)).status_code == 422
