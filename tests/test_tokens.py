"""Accounts and tokens: registration, sign-in, bearer checks, rotation, sign-out, rate limits.

Tokens are forged here with PyJWT and the server's own key, so each refusal is shown to be
about the one thing that is wrong with the token (a control token forged the same way works).
"""

import base64
import json
import stat
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from parley.app.startup import prepare
from parley.auth import security
from parley.config import SECRET_FILE, Settings
from parley.db.models import User as UserRow
from tests.support import PASSWORD, Api, RunningServer, User, serve, test_settings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers
    assert isinstance(r.json()["detail"], str), r.text


async def me_status(client: httpx.AsyncClient, access_token: str) -> int:
    return (await client.get("/auth/me", headers=bearer(access_token))).status_code


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Any:
    r = await client.post("/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": refresh_token})


# ---------------------------------------------------------------- register and sign in


async def test_register_then_login_with_json_form_and_email(
    api: Api, server: RunningServer
) -> None:
    name = f"Reg{uuid.uuid4().hex[:8]}"
    email = f"{name}@Example.com"
    r = await api.client.post(
        "/auth/register", json={"username": name, "email": email, "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == {
        "id",
        "username",
        "email",
        "display_name",
        "created_at",
        "is_admin",
        "avatar_url",
        "notifications",
    }
    assert created["username"] == name
    assert created["display_name"] == name  # defaults to the username
    assert created["email"].lower() == email.lower()
    datetime.fromisoformat(created["created_at"])

    logins = {
        "json": await api.client.post("/auth/login", json={"username": name, "password": PASSWORD}),
        "form": await api.client.post("/auth/login", data={"username": name, "password": PASSWORD}),
        "e-mail": await api.client.post(
            "/auth/login", json={"username": email, "password": PASSWORD}
        ),
        "e-mail, form, other case": await api.client.post(
            "/auth/login", data={"username": email.upper(), "password": PASSWORD}
        ),
        "username, other case": await api.client.post(
            "/auth/login", json={"username": name.lower(), "password": PASSWORD}
        ),
    }
    tokens = []
    for how, r in logins.items():
        assert r.status_code == 200, f"{how}: {r.text}"
        token = r.json()
        assert token["token_type"] == "bearer", how
        assert token["expires_in"] == server.settings.access_token_minutes * 60, how
        r = await api.client.get("/auth/me", headers=bearer(token["access_token"]))
        assert r.status_code == 200, f"{how}: {r.text}"
        assert r.json() == created
        tokens.append(token)
    # Every sign-in is its own session with its own tokens.
    assert len({t["access_token"] for t in tokens}) == len(tokens)
    assert len({t["refresh_token"] for t in tokens}) == len(tokens)


@pytest.mark.parametrize(
    "clash",
    ["same username, other case", "same e-mail, other case", "both"],
)
async def test_duplicate_username_or_email_is_409_case_insensitively(api: Api, clash: str) -> None:
    first = await api.user(f"Taken{uuid.uuid4().hex[:6]}")
    fresh = uuid.uuid4().hex[:8]
    username = first.username.swapcase() if clash != "same e-mail, other case" else f"n{fresh}"
    email = first.email.upper() if clash != "same username, other case" else f"{fresh}@x.org"
    r = await api.client.post(
        "/auth/register",
        json={"username": username, "email": email, "password": "another password"},
    )
    assert r.status_code == 409, r.text
    assert isinstance(r.json()["detail"], str)
    # No second account exists, and the first one is untouched.
    for name in (username, email):
        r = await api.client.post(
            "/auth/login", json={"username": name, "password": "another password"}
        )
        assert r.status_code == 401, r.text
    await login(api.client, first.username)


async def test_wrong_password_and_unknown_user_get_the_same_401(api: Api) -> None:
    user = await api.user()
    attempts = {
        "wrong password": {"username": user.username, "password": "wrong password"},
        "wrong password by e-mail": {"username": user.email, "password": "wrong password"},
        "password in other case": {"username": user.username, "password": PASSWORD.upper()},
        "unknown user": {"username": "nobody_here", "password": PASSWORD},
        "unknown e-mail": {"username": "nobody@example.com", "password": PASSWORD},
    }
    details = set()
    for how, body in attempts.items():
        for r in (
            await api.client.post("/auth/login", json=body),
            await api.client.post("/auth/login", data=body),
        ):
            assert r.status_code == 401, f"{how}: {r.status_code} {r.text}"
            assert "access_token" not in r.text
            details.add(r.json()["detail"])
    assert len(details) == 1, details


async def test_passwords_are_stored_as_salted_argon2id(api: Api, server: RunningServer) -> None:
    alice, bob = await api.user(), await api.user()

    async def stored_hash(user: User) -> str:
        async with server.app.state.parley.units.sessionmaker() as session:
            value = await session.scalar(select(UserRow.password_hash).where(UserRow.id == user.id))
        assert isinstance(value, str)
        return value

    hashes = [await stored_hash(alice), await stored_hash(bob)]
    for stored in hashes:
        assert stored.startswith("$argon2id$"), stored
        assert PASSWORD not in stored
        assert PasswordHasher().verify(stored, PASSWORD)
    assert hashes[0] != hashes[1], "same password, same hash: no salt"

    # A changed password is stored the same way, and only the new one works.
    new_password = "a brand new passphrase"
    r = await alice.patch(
        "/users/me", json={"password": new_password, "current_password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    changed = await stored_hash(alice)
    assert changed.startswith("$argon2id$") and changed != hashes[0]
    assert PasswordHasher().verify(changed, new_password)
    r = await api.client.post(
        "/auth/login", json={"username": alice.username, "password": PASSWORD}
    )
    assert r.status_code == 401, r.text
    await login(api.client, alice.username, new_password)


# ---------------------------------------------------------------- bearer tokens


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def forge(user: User, key: str | None, *, algorithm: str = "HS256", **changes: Any) -> str:
    """An access token for ``user``'s session, signed as asked, with claims changed."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "sid": claims_of(user.token)["sid"],
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm=algorithm)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def swap_subject(token: str, user_id: int) -> str:
    """The same token claiming another user, with the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    claims["sub"] = str(user_id)
    return ".".join([header, _b64(json.dumps(claims).encode()), signature])


def flip_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(_unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([header, payload, _b64(bytes(raw))])


Headers = Callable[[User, User, str], dict[str, str]]
BAD_CREDENTIALS: dict[str, Headers] = {
    "missing header": lambda me, other, key: {},
    "bearer without token": lambda me, other, key: {"Authorization": "Bearer"},
    "basic scheme": lambda me, other, key: {"Authorization": "Basic dXNlcjpwYXNz"},
    "token without scheme": lambda me, other, key: {"Authorization": me.token},
    "garbage": lambda me, other, key: bearer("not.a.token"),
    "random text": lambda me, other, key: bearer(uuid.uuid4().hex),
    "tampered payload": lambda me, other, key: bearer(swap_subject(me.token, other.id)),
    "tampered signature": lambda me, other, key: bearer(flip_signature(me.token)),
    "truncated": lambda me, other, key: bearer(me.token[:-8]),
    "expired": lambda me, other, key: bearer(
        forge(
            me,
            key,
            iat=datetime.now(UTC) - timedelta(hours=1),
            exp=datetime.now(UTC) - timedelta(minutes=1),
        )
    ),
    "alg none": lambda me, other, key: bearer(forge(me, None, algorithm="none")),
    "another key": lambda me, other, key: bearer(forge(me, "another-secret-" + "y" * 40)),
    "real key, HS512": lambda me, other, key: bearer(forge(me, key, algorithm="HS512")),
    "typ refresh": lambda me, other, key: bearer(forge(me, key, typ="refresh")),
    "no typ": lambda me, other, key: bearer(forge(me, key, typ=None)),
    "no exp": lambda me, other, key: bearer(forge(me, key, exp=None)),
    "no sid": lambda me, other, key: bearer(forge(me, key, sid=None)),
    "sid of another user's session": lambda me, other, key: bearer(
        forge(me, key, sid=claims_of(other.token)["sid"])
    ),
    "non-numeric sub": lambda me, other, key: bearer(forge(me, key, sub="admin")),
    "refresh token as bearer": lambda me, other, key: bearer(me.refresh_token),
}


async def test_a_token_forged_with_the_real_key_is_accepted(
    api: Api, server: RunningServer
) -> None:
    """The control for the forgeries below: forging itself matches the server."""
    user = await api.user()
    r = await api.client.get("/auth/me", headers=bearer(forge(user, server.settings.secret_key)))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == user.id


# The test key is too short for HS512, which is beside the point of that case.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("make_headers", BAD_CREDENTIALS.values(), ids=BAD_CREDENTIALS.keys())
async def test_bad_credentials_get_401_with_www_authenticate(
    api: Api, server: RunningServer, make_headers: Headers
) -> None:
    me, other = await api.user(), await api.user()
    headers = make_headers(me, other, server.settings.secret_key)
    for path in ("/auth/me", "/chats", f"/users/{other.id}"):
        assert_401(await api.client.get(path, headers=headers))
    assert_401(await api.client.post("/chats", json={"member_ids": [other.id]}, headers=headers))
    assert_401(await api.client.post("/auth/logout", headers=headers))
    # The real token is unharmed, and nothing was created in its name.
    r = await me.get("/chats")
    assert r.status_code == 200 and r.json() == [], r.text


# ---------------------------------------------------------------- refresh and sign-out


async def test_refresh_rotates_and_spends_the_old_token(api: Api) -> None:
    user = await api.user()
    r = await refresh(api.client, user.refresh_token)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["refresh_token"] != user.refresh_token
    r = await api.client.get("/auth/me", headers=bearer(first["access_token"]))
    assert r.status_code == 200 and r.json()["id"] == user.id, r.text
    # The new refresh token rotates in turn.
    r = await refresh(api.client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert await me_status(api.client, second["access_token"]) == 200
    assert_401(await refresh(api.client, first["refresh_token"]))


async def test_replaying_a_spent_refresh_token_ends_the_session(api: Api) -> None:
    user = await api.user()
    other_session = await login(api.client, user.username)
    r = await refresh(api.client, user.refresh_token)
    assert r.status_code == 200, r.text
    newest = r.json()
    assert await me_status(api.client, newest["access_token"]) == 200
    # Someone presents the spent token again: one of the two copies was stolen.
    assert_401(await refresh(api.client, user.refresh_token))
    assert_401(await refresh(api.client, newest["refresh_token"]))
    assert_401(await api.client.get("/auth/me", headers=bearer(newest["access_token"])))
    assert_401(await api.client.get("/auth/me", headers=bearer(user.token)))
    # Only that session ends: the user's other sign-in goes on.
    assert await me_status(api.client, other_session["access_token"]) == 200
    r = await refresh(api.client, other_session["refresh_token"])
    assert r.status_code == 200, r.text


async def test_replaying_an_older_spent_refresh_token_ends_the_session(api: Api) -> None:
    """A thief who rotates twice must not escape detection when the victim comes back."""
    victim = await api.user()
    stolen = victim.refresh_token
    r = await refresh(api.client, stolen)
    assert r.status_code == 200, r.text
    r = await refresh(api.client, r.json()["refresh_token"])
    assert r.status_code == 200, r.text
    thief = r.json()
    # The victim's client still holds the first token and presents it.
    assert_401(await refresh(api.client, stolen))
    assert_401(await api.client.get("/auth/me", headers=bearer(thief["access_token"])))
    assert_401(await refresh(api.client, thief["refresh_token"]))


async def test_refresh_accepts_only_refresh_tokens(api: Api) -> None:
    user = await api.user()
    for token in (user.token, "garbage", uuid.uuid4().hex, user.refresh_token[:-2]):
        assert_401(await refresh(api.client, token))
    r = await refresh(api.client, user.refresh_token)
    assert r.status_code == 200, "a failed refresh must not spend anything"


@pytest.mark.parametrize("with_body", [True, False], ids=["with refresh_token", "no body"])
async def test_logout_ends_only_that_session(api: Api, with_body: bool) -> None:
    user = await api.user()
    other = await login(api.client, user.username)
    kw: dict[str, Any] = {"json": {"refresh_token": user.refresh_token}} if with_body else {}
    r = await user.post("/auth/logout", **kw)
    assert r.status_code == 204, r.text
    assert r.content == b""
    for path in ("/auth/me", "/chats"):
        assert_401(await user.get(path))
    assert_401(await refresh(api.client, user.refresh_token))
    assert_401(await user.post("/auth/logout"))
    # The same user's other session is untouched.
    assert await me_status(api.client, other["access_token"]) == 200
    r = await refresh(api.client, other["refresh_token"])
    assert r.status_code == 200, r.text
    assert await me_status(api.client, r.json()["access_token"]) == 200


# ---------------------------------------------------------------- login rate limit


async def test_failed_logins_are_rate_limited(database_url: str, tmp_path: Path) -> None:
    settings = test_settings(database_url, tmp_path, login_attempts=3)
    async with (
        serve(settings) as limited,
        httpx.AsyncClient(base_url=limited.base_url, timeout=30) as client,
    ):
        user = await Api(client).user()  # a successful sign-in does not count
        wrong = {"username": user.username, "password": "wrong password"}
        for attempt in range(settings.login_attempts):
            r = await client.post("/auth/login", json=wrong)
            assert r.status_code == 401, f"attempt {attempt + 1}: {r.text}"
        r = await client.post("/auth/login", json=wrong)
        assert r.status_code == 429, r.text
        assert isinstance(r.json()["detail"], str)
        retry_after = int(r.headers["Retry-After"])
        assert 1 <= retry_after <= settings.login_window_seconds + 1
        # While locked, even the right password is refused, by username or by form.
        r = await client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
        assert r.status_code == 429, r.text
        assert "access_token" not in r.text
        r = await client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
        assert r.status_code == 429, r.text
        # Tokens issued before the lock keep working.
        assert await me_status(client, user.token) == 200


# ---------------------------------------------------------------- the signing key


def test_signing_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    settings = Settings(secret_key="", data_dir=data_dir)
    assert not data_dir.exists()  # settings are plain data: start-up makes the key
    key = prepare(settings).secret_key
    path = data_dir / SECRET_FILE
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    assert path.read_text().strip() == key
    assert len(key) >= 43  # at least 256 bits of url-safe base64
    assert prepare(Settings(secret_key="", data_dir=data_dir)).secret_key == key
    assert prepare(Settings(secret_key="", data_dir=tmp_path / "other")).secret_key != key
    # A configured secret wins and writes nothing.
    configured = tmp_path / "configured"
    assert prepare(Settings(secret_key="s" * 40, data_dir=configured)).secret_key == "s" * 40
    assert not (configured / SECRET_FILE).exists()


async def test_tokens_signed_with_a_generated_key_survive_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        serve(test_settings(database_url, tmp_path, secret_key="")) as first,
        httpx.AsyncClient(base_url=first.base_url, timeout=30) as client,
    ):
        user = await Api(client).user()
    async with (
        serve(test_settings(database_url, tmp_path, secret_key="")) as second,
        httpx.AsyncClient(base_url=second.base_url, timeout=30) as client,
    ):
        assert await me_status(client, user.token) == 200
        r = await refresh(client, user.refresh_token)
        assert r.status_code == 200, r.text


def test_a_verified_token_is_remembered_but_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Verified signatures are remembered per token; expiry is checked on every use."""
    key = "k" * 43
    token = security.create_access_token(7, 9, key, minutes=1)
    assert security.decode_access_token(token, key) == (7, 9)
    assert security.decode_access_token(token, key) == (7, 9)  # the remembered answer
    assert security.decode_access_token(token, "another key, " * 4) is None
    assert (
        security.decode_access_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), key)
        is None
    )
    later = security.time.time() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    assert security.decode_access_token(token, key) is None
