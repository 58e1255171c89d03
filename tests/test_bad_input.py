"""Hostile and malformed input: every answer is a clean 4xx, nothing leaks, text round-trips.

The rules come from API.md and DESIGN.md: 404 (never 403) for chats you are not in, 413
for oversize bodies, a 4xx (never a 500) for anything malformed, and 422 bodies in FastAPI's
documented ``{"detail": [{"loc", "msg", "type"}, ...]}`` shape, without the raw input.

The big tables run in one test each (one set of users, so the suite stays fast) and
report every failing case together.
"""

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support import PASSWORD, Api, RunningServer, User

MAX_ID = 2**63 - 1
JSON_TYPE = "application/json"
# Marks input that must never come back inside an error body.
ECHO = "ECHO-MARKER-7f3a"


def problem(
    r: httpx.Response, *, status: int | None = None, not_echoed: Iterable[str] = (ECHO,)
) -> str | None:
    """Why ``r`` is not a clean client error, or None if it is one."""
    where = f"{r.request.method} {r.request.url.raw_path.decode()[:120]}"
    got = f"{r.status_code} {r.text[:300]}"
    if status is not None and r.status_code != status:
        return f"{where}: expected {status}, got {got}"
    if not 400 <= r.status_code < 500:
        return f"{where}: expected a 4xx, got {got}"
    try:
        body = r.json()
    except ValueError:
        return f"{where}: the error body is not JSON: {got}"
    if not isinstance(body, dict) or "detail" not in body:
        return f"{where}: no detail: {got}"
    if r.status_code == 422:
        detail = body["detail"]
        if not isinstance(detail, list) or not detail:
            return f"{where}: a 422 detail must be a non-empty list: {got}"
        for item in detail:
            shaped = (
                isinstance(item, dict)
                and isinstance(item.get("loc"), list)
                and isinstance(item.get("msg"), str)
                and isinstance(item.get("type"), str)
            )
            if not shaped:
                return f"{where}: 422 item without loc/msg/type: {got}"
            if "input" in item:
                return f"{where}: 422 echoes the input: {got}"
    for text in not_echoed:
        if text in r.text:
            return f"{where}: echoes {text!r}: {got}"
    return None


def assert_client_error(
    r: httpx.Response, *, status: int | None = None, not_echoed: Iterable[str] = (ECHO,)
) -> None:
    found = problem(r, status=status, not_echoed=not_echoed)
    assert found is None, found


def assert_none(problems: list[str]) -> None:
    counts = Counter(problems)
    lines = [f"{n}x {text}" if n > 1 else text for text, n in counts.items()]
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(lines)


async def send_raw(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    content: bytes | None,
    *,
    user: User | None = None,
    content_type: str = JSON_TYPE,
) -> httpx.Response:
    headers = dict(user.headers) if user else {}
    if content is not None:
        headers["Content-Type"] = content_type
    return await client.request(method, path, content=content, headers=headers)


@dataclass
class Scene:
    """Alice and Bob share a direct chat and two groups; Mallory has left one of the groups."""

    alice: User
    bob: User
    mallory: User
    direct: dict[str, Any]
    group: dict[str, Any]
    former: dict[str, Any]
    message: dict[str, Any]

    @property
    def chats(self) -> list[dict[str, Any]]:
        return [self.direct, self.group, self.former]


async def make_scene(api: Api) -> Scene:
    alice, bob, mallory = await api.user(), await api.user(), await api.user()
    direct = await alice.direct_chat(bob)
    group = await alice.group("team", bob)
    former = await alice.group("alumni", bob, mallory)
    r = await mallory.delete(f"/chats/{former['id']}/members/{mallory.id}")
    assert r.status_code == 204, r.text
    for chat in (direct, group, former):
        await alice.say(chat["id"], f"secret of chat {chat['id']}")
        await bob.say(chat["id"], "reply")
    message = await alice.say(group["id"], "the group's last word")
    return Scene(alice, bob, mallory, direct, group, former, message)


async def snapshot(scene: Scene) -> list[Any]:
    """What the members see of every chat, to show that refused requests changed nothing."""
    state = []
    for chat in scene.chats:
        r = await scene.alice.get(f"/chats/{chat['id']}")
        assert r.status_code == 200, r.text
        view = r.json()
        view.pop("unread_count")
        r = await scene.alice.get(f"/chats/{chat['id']}/messages")
        assert r.status_code == 200, r.text
        state.append((view, r.json()))
    r = await scene.alice.get("/auth/me")
    assert r.status_code == 200, "a refused request must not end the session"
    state.append(r.json())
    return state


# ---------------------------------------------------------------- 404 for non-members

Ids = dict[str, int]
BodyFor = Callable[[Ids], dict[str, Any]] | None

CHAT_ROUTES: list[tuple[str, str, BodyFor]] = [
    ("GET", "/chats/{chat}", None),
    ("PATCH", "/chats/{chat}", lambda ids: {"title": "taken over"}),
    ("POST", "/chats/{chat}/members", lambda ids: {"user_id": ids["me"]}),
    ("DELETE", "/chats/{chat}/members/{member}", None),
    ("GET", "/chats/{chat}/messages", None),
    ("POST", "/chats/{chat}/messages", lambda ids: {"content": "let me in"}),
    ("PATCH", "/chats/{chat}/messages/{message}", lambda ids: {"content": "defaced"}),
    ("DELETE", "/chats/{chat}/messages/{message}", None),
    ("POST", "/chats/{chat}/read", lambda ids: {"message_id": ids["message"]}),
]


@pytest.mark.parametrize(
    ("method", "template", "body_for"),
    CHAT_ROUTES,
    ids=[f"{method} {template}" for method, template, _ in CHAT_ROUTES],
)
async def test_non_members_get_404_on_every_chat_route(
    api: Api, method: str, template: str, body_for: BodyFor
) -> None:
    scene = await make_scene(api)
    outsider = scene.mallory
    before = await snapshot(scene)
    targets = {
        "direct chat": scene.direct["id"],
        "group": scene.group["id"],
        "group the caller left": scene.former["id"],
        "next chat id": max(chat["id"] for chat in scene.chats) + 1,
        "largest valid id": MAX_ID,
    }
    problems, bodies = [], {}
    for name, chat_id in targets.items():
        ids = {"chat": chat_id, "me": outsider.id, "member": scene.bob.id}
        ids["message"] = scene.message["id"]  # a real message, in a chat the caller is not in
        path = template.format(**ids)
        kw = {"json": body_for(ids)} if body_for else {}
        r = await outsider.client.request(method, path, headers=outsider.headers, **kw)
        if found := problem(r, status=404):
            problems.append(f"{name}: {found}")
        bodies[name] = r.text
    assert_none(problems)
    # The answer for someone else's chat is the answer for no chat at all: no oracle.
    assert len(set(bodies.values())) == 1, bodies
    assert await snapshot(scene) == before


async def test_a_message_of_another_chat_is_404_even_for_members(api: Api) -> None:
    scene = await make_scene(api)
    # Both are in the direct chat, but the message lives in the group.
    path = f"/chats/{scene.direct['id']}/messages/{scene.message['id']}"
    for r in (
        await scene.bob.patch(path, json={"content": "moved"}),
        await scene.bob.delete(path),
        await scene.alice.patch(path, json={"content": "moved"}),
        await scene.alice.delete(path),
    ):
        assert_client_error(r, status=404)
    r = await scene.alice.get(f"/chats/{scene.group['id']}/messages")
    assert r.json()[-1] == scene.message


# ---------------------------------------------------------------- oversize bodies


def _padded_message(size: int) -> bytes:
    """A JSON message body of exactly ``size`` bytes."""
    head, tail = b'{"content": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def _chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _post_body(
    api: Api, user: User, path: str, body: bytes, streamed: bool
) -> httpx.Response | str:
    """Post like a real client: on a pooled keep-alive connection, whole body or chunked."""
    r = await api.client.get("/healthz")  # the connection is open and reused
    assert r.status_code == 200, r.text
    headers = {**user.headers, "Content-Type": JSON_TYPE}
    try:
        return await api.client.post(
            path, content=_chunks(body) if streamed else body, headers=headers
        )
    except httpx.TransportError as exc:
        return f"POST {path}: no response, the connection failed: {exc!r}"


OVERSIZE_ROUTES = ["/chats/{chat}/messages", "/auth/register", "/auth/login", "/auth/refresh"]
ATTEMPTS = 5  # a lost response is a race: try a few times so that it shows reliably


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("route", OVERSIZE_ROUTES)
async def test_oversize_body_is_413(
    api: Api, server: RunningServer, route: str, streamed: bool
) -> None:
    limit = server.settings.max_body_bytes
    assert limit == 1024 * 1024  # the default this test is about
    alice = await api.user()
    chat = await alice.direct_chat(await api.user())
    path = route.format(chat=chat["id"])
    problems = []
    for _ in range(ATTEMPTS):
        r = await _post_body(api, alice, path, _padded_message(limit + 1), streamed)
        if isinstance(r, str):
            problems.append(r)
        elif found := problem(r, status=413):
            problems.append(found)
    assert_none(problems)
    # Nothing was stored, and the server still serves this client.
    r = await alice.get(f"/chats/{chat['id']}/messages")
    assert r.status_code == 200 and r.json() == [], r.text


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
async def test_a_body_at_the_limit_is_not_413(
    api: Api, server: RunningServer, streamed: bool
) -> None:
    alice = await api.user()
    chat = await alice.direct_chat(await api.user())
    path = f"/chats/{chat['id']}/messages"
    r = await _post_body(
        api, alice, path, _padded_message(server.settings.max_body_bytes), streamed
    )
    assert not isinstance(r, str), r
    # Within the size limit, the only problem left is the 4000-character content rule.
    assert_client_error(r, status=422)


# ---------------------------------------------------------------- malformed bodies

# Bodies that are not a JSON object at all, sent to every route that takes a body.
MALFORMED = {
    "empty": b"",
    "not json": b"content=hello " + ECHO.encode(),
    "truncated": b'{"content": "' + ECHO.encode(),
    "list": b'["' + ECHO.encode() + b'"]',
    "string": b'"' + ECHO.encode() + b'"',
    "number": b"12345",
    "null": b"null",
    "true": b"true",
    "bare NaN": b"NaN",
    "bare Infinity": b"Infinity",
    "bare 1e400": b"1e400",
    "lone surrogate": b'"\\ud800"',
    "invalid utf-8": b'{"content": "\xff\xfe\xc3\x28 ' + ECHO.encode() + b'"}',
    "invalid utf-8 only": b"\xff\xfe\xfd",
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
}

BODY_ROUTES = [
    ("POST", "/auth/register", False),
    ("POST", "/auth/login", False),
    ("POST", "/auth/refresh", False),
    ("PATCH", "/users/me", True),
    ("POST", "/chats", True),
    ("PATCH", "/chats/{group}", True),
    ("POST", "/chats/{group}/members", True),
    ("POST", "/chats/{group}/messages", True),
    ("PATCH", "/chats/{group}/messages/{message}", True),
    ("POST", "/chats/{group}/read", True),
]


async def test_malformed_bodies_are_4xx_on_every_route(api: Api) -> None:
    scene = await make_scene(api)
    before = await snapshot(scene)
    ids = {"group": scene.group["id"], "message": scene.message["id"]}
    problems = []
    for name, payload in MALFORMED.items():
        for method, template, needs_auth in BODY_ROUTES:
            user = scene.alice if needs_auth else None
            r = await send_raw(api.client, method, template.format(**ids), payload, user=user)
            if found := problem(r):
                problems.append(f"{name}: {found}")
    assert_none(problems)
    assert await snapshot(scene) == before


async def test_json_under_a_wrong_content_type_is_4xx(api: Api) -> None:
    scene = await make_scene(api)
    payload = json.dumps({"content": "hello"}).encode()
    path = f"/chats/{scene.group['id']}/messages"
    problems = []
    for content_type in ("text/plain", "application/xml", "multipart/form-data"):
        r = await send_raw(
            api.client, "POST", path, payload, user=scene.alice, content_type=content_type
        )
        if found := problem(r):
            problems.append(f"{content_type}: {found}")
    assert_none(problems)


# Ids that are not positive 64-bit integers, as raw JSON values; None marks the ones that
# are not standard JSON at all, for which 400 is as fine as 422.
BAD_JSON_IDS: dict[str, int | None] = {
    "true": 422,
    "false": 422,
    '"2"': 422,
    "2.0": 422,
    "1.5": 422,
    "null": 422,
    "0": 422,
    "-1": 422,
    str(10**30): 422,
    str(2**63): 422,
    str(-(2**63)): 422,
    "[2]": 422,
    "{}": 422,
    "NaN": None,
    "Infinity": None,
    "-Infinity": None,
    "1e400": None,
}


async def test_bad_ids_in_bodies_are_rejected(api: Api) -> None:
    scene = await make_scene(api)
    before = await snapshot(scene)
    group = scene.group["id"]
    problems = []
    for raw, status in BAD_JSON_IDS.items():
        for path, body in (
            ("/chats", f'{{"is_group": false, "member_ids": [{raw}]}}'),
            ("/chats", f'{{"is_group": true, "title": "t", "member_ids": [{raw}]}}'),
            (f"/chats/{group}/members", f'{{"user_id": {raw}}}'),
            (f"/chats/{group}/read", f'{{"message_id": {raw}}}'),
        ):
            r = await send_raw(api.client, "POST", path, body.encode(), user=scene.alice)
            if found := problem(r, status=status):
                problems.append(f"{body}: {found}")
    assert_none(problems)
    assert await snapshot(scene) == before


def _signup(**changes: Any) -> dict[str, Any]:
    return {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD} | changes


# Well-formed JSON objects whose fields have the wrong type or break a rule: always 422.
# Strings are sent as written (for escapes such as a lone "\ud800" that json.dumps refuses).
WRONG_SHAPES: list[tuple[str, str, dict[str, Any] | str]] = [
    ("POST", "/chats", {"is_group": False, "member_ids": "5"}),
    ("POST", "/chats", {"is_group": False, "member_ids": {"0": 5}}),
    ("POST", "/chats", {"is_group": False, "member_ids": None}),
    ("POST", "/chats", {"is_group": False}),
    ("POST", "/chats", {"is_group": [], "member_ids": [5]}),
    ("POST", "/chats", {"is_group": True, "title": 7, "member_ids": []}),
    ("POST", "/chats", {"is_group": True, "title": ["t"], "member_ids": []}),
    ("POST", "/chats", '{"is_group": true, "title": "\\ud800", "member_ids": []}'),
    ("POST", "/chats/{group}/members", {"user_id": "{bob}", "role": "owner"}),
    ("POST", "/chats/{group}/members", {"user_id": "{bob}", "role": 1}),
    ("POST", "/chats/{group}/members", {"role": "member"}),
    ("POST", "/chats/{group}/read", {}),
    ("POST", "/chats/{group}/messages", {"content": 5}),
    ("POST", "/chats/{group}/messages", {"content": ["hi"]}),
    ("POST", "/chats/{group}/messages", {"content": {"text": "hi"}}),
    ("POST", "/chats/{group}/messages", {"content": None}),
    ("POST", "/chats/{group}/messages", {"content": True}),
    ("POST", "/chats/{group}/messages", '{"content": 1, "content": [], "x": {}}'),
    ("POST", "/chats/{group}/messages", '{"content": "\\ud800"}'),
    ("POST", "/chats/{group}/messages", '{"content": "ok \\udfff ok"}'),
    ("POST", "/chats/{group}/messages", '{"content": "\\ude00\\ud83d"}'),
    ("POST", "/chats/{group}/messages", {"content": "ok", "client_id": ""}),
    ("POST", "/chats/{group}/messages", {"content": "ok", "client_id": "c" * 65}),
    ("POST", "/chats/{group}/messages", {"content": "ok", "client_id": 5}),
    ("POST", "/chats/{group}/messages", {"content": "ok", "attachment_url": "javascript:x"}),
    ("POST", "/chats/{group}/messages", {"content": "", "attachment_url": 1e300}),
    ("PATCH", "/chats/{group}", {"title": None}),
    ("PATCH", "/chats/{group}", {"title": 12}),
    ("PATCH", "/chats/{group}", {}),
    ("PATCH", "/chats/{group}/messages/{message}", {"content": 12}),
    ("PATCH", "/chats/{group}/messages/{message}", '{"content": "\\ud83d"}'),
    ("PATCH", "/users/me", {"display_name": 5}),
    ("PATCH", "/users/me", {"display_name": ""}),
    ("PATCH", "/users/me", {"display_name": "d" * 65}),
    ("PATCH", "/users/me", '{"display_name": "\\udc00"}'),
    ("PATCH", "/users/me", {"password": "short", "current_password": PASSWORD}),
    ("PATCH", "/users/me", {"password": "long enough but no current"}),
    ("POST", "/auth/register", _signup(username="ab")),
    ("POST", "/auth/register", _signup(username="a b c")),
    ("POST", "/auth/register", _signup(username="u" * 33)),
    ("POST", "/auth/register", _signup(username="<script>")),
    ("POST", "/auth/register", _signup(username=123)),
    ("POST", "/auth/register", _signup(email="not-an-email")),
    ("POST", "/auth/register", _signup(email=["a@example.com"])),
    ("POST", "/auth/register", _signup(email=f"{ECHO}@@example.com")),
    ("POST", "/auth/register", _signup(email=f"<{ECHO}>@example.com")),
    ("POST", "/auth/register", _signup(password="p" * 7)),
    ("POST", "/auth/register", _signup(password="p" * 129)),
    ("POST", "/auth/register", _signup(password=12345678)),
    ("POST", "/auth/register", _signup(display_name="   ")),
    ("POST", "/auth/register", json.dumps(_signup()).replace('"newbie"', '"ab\\ud800"')),
    ("POST", "/auth/login", {"username": ["alice"], "password": PASSWORD}),
    ("POST", "/auth/login", {"username": "alice"}),
    ("POST", "/auth/login", {"username": "", "password": PASSWORD}),
    ("POST", "/auth/login", '{"username": "\\ud800", "password": "x"}'),
    ("POST", "/auth/refresh", {"refresh_token": 5}),
    ("POST", "/auth/refresh", {"refresh_token": ""}),
    ("POST", "/auth/refresh", {}),
    ("POST", "/auth/refresh", '{"refresh_token": "\\ud800"}'),
]


async def test_wrongly_typed_fields_are_422(api: Api) -> None:
    scene = await make_scene(api)
    before = await snapshot(scene)
    ids = {"group": scene.group["id"], "message": scene.message["id"]}
    problems = []
    for method, template, body in WRONG_SHAPES:
        raw = body if isinstance(body, str) else json.dumps(body)
        raw = raw.replace('"{bob}"', str(scene.bob.id))
        path = template.format(**ids)
        user = None if path.startswith("/auth/") else scene.alice
        r = await send_raw(api.client, method, path, raw.encode(), user=user)
        if found := problem(r, status=422, not_echoed=["javascript:x", "<script>"]):
            problems.append(f"{raw[:80]}: {found}")
    assert_none(problems)
    assert await snapshot(scene) == before


async def test_nan_and_infinity_in_fields_are_4xx(api: Api) -> None:
    scene = await make_scene(api)
    ids = {"group": scene.group["id"], "message": scene.message["id"]}
    problems = []
    for value in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400"):
        for method, template, field in (
            ("POST", "/chats/{group}/messages", "content"),
            ("POST", "/chats/{group}/messages", "client_id"),
            ("PATCH", "/chats/{group}", "title"),
            ("PATCH", "/chats/{group}/messages/{message}", "content"),
            ("PATCH", "/users/me", "display_name"),
            ("POST", "/chats", "is_group"),
            ("POST", "/auth/login", "username"),
            ("POST", "/auth/register", "password"),
            ("POST", "/auth/refresh", "refresh_token"),
        ):
            raw = f'{{"content": "ok", "username": "x", "member_ids": [], "{field}": {value}}}'
            user = None if template.startswith("/auth/") else scene.alice
            r = await send_raw(api.client, method, template.format(**ids), raw.encode(), user=user)
            if found := problem(r):
                problems.append(f"{raw}: {found}")
    assert_none(problems)


# ---------------------------------------------------------------- ids in paths and queries

BAD_PATH_IDS = ["0", "-1", str(10**30), str(2**63), "abc", "1.5", "1e3", "NaN", "Infinity"]
PATH_ID_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/chats/{x}", None),
    ("PATCH", "/chats/{x}", {"title": "t"}),
    ("GET", "/chats/{x}/messages", None),
    ("POST", "/chats/{x}/messages", {"content": "hi"}),
    ("POST", "/chats/{x}/members", {"user_id": 1}),
    ("POST", "/chats/{x}/read", {"message_id": 1}),
    ("DELETE", "/chats/{group}/members/{x}", None),
    ("PATCH", "/chats/{group}/messages/{x}", {"content": "hi"}),
    ("DELETE", "/chats/{group}/messages/{x}", None),
    ("GET", "/users/{x}", None),
]


async def test_bad_path_ids_are_4xx(api: Api) -> None:
    scene = await make_scene(api)
    before = await snapshot(scene)
    problems = []
    for bad in BAD_PATH_IDS:
        for method, template, body in PATH_ID_ROUTES:
            path = template.format(x=bad, group=scene.group["id"])
            kw = {"json": body} if body else {}
            r = await api.client.request(method, path, headers=scene.alice.headers, **kw)
            if found := problem(r):
                problems.append(found)
    assert_none(problems)
    assert await snapshot(scene) == before


async def test_largest_valid_id_is_a_clean_404(api: Api) -> None:
    scene = await make_scene(api)
    alice, group = scene.alice, scene.group["id"]
    for r in (
        await alice.get(f"/chats/{MAX_ID}"),
        await alice.get(f"/users/{MAX_ID}"),
        await alice.patch(f"/chats/{group}/messages/{MAX_ID}", json={"content": "x"}),
        await alice.delete(f"/chats/{group}/messages/{MAX_ID}"),
        await alice.delete(f"/chats/{group}/members/{MAX_ID}"),
        await alice.post("/chats", json={"is_group": False, "member_ids": [MAX_ID]}),
        await alice.post("/chats", json={"is_group": True, "title": "t", "member_ids": [MAX_ID]}),
        await alice.post(f"/chats/{group}/members", json={"user_id": MAX_ID}),
    ):
        assert_client_error(r, status=404)
    # Reading "up to" an id far past the end is allowed; it just stops at the newest message.
    r = await alice.post(f"/chats/{group}/read", json={"message_id": MAX_ID})
    assert r.status_code == 204, r.text
    for cursor in ("before", "after"):
        r = await alice.get(f"/chats/{group}/messages", params={cursor: MAX_ID})
        assert r.status_code == 200, r.text


BAD_QUERIES: list[tuple[str, dict[str, str]]] = [
    ("/chats/{group}/messages", {"limit": "0"}),
    ("/chats/{group}/messages", {"limit": "201"}),
    ("/chats/{group}/messages", {"limit": str(10**30)}),
    ("/chats/{group}/messages", {"limit": "NaN"}),
    ("/chats/{group}/messages", {"limit": "1e400"}),
    ("/chats/{group}/messages", {"before": str(2**63)}),
    ("/chats/{group}/messages", {"before": str(10**30)}),
    ("/chats/{group}/messages", {"after": "-1"}),
    ("/chats/{group}/messages", {"after": "0"}),
    ("/chats/{group}/messages", {"after": "Infinity"}),
    ("/chats/{group}/messages", {"before": "abc"}),
    ("/chats/{group}/messages", {"before": "1", "after": "1"}),
    ("/users/search", {}),
    ("/users/search", {"q": ""}),
    ("/users/search", {"q": "   "}),
    ("/users/search", {"q": "a" * 65}),
    ("/users/search", {"q": "a", "limit": "0"}),
    ("/users/search", {"q": "a", "limit": "51"}),
    ("/users/search", {"q": "a", "limit": str(2**63)}),
    ("/users/search", {"q": "a", "limit": "-Infinity"}),
]


async def test_bad_queries_are_422(api: Api) -> None:
    scene = await make_scene(api)
    problems = []
    for template, params in BAD_QUERIES:
        r = await scene.alice.get(template.format(group=scene.group["id"]), params=params)
        if found := problem(r, status=422):
            problems.append(found)
    assert_none(problems)


async def test_invalid_utf8_in_a_query_is_not_a_500(api: Api) -> None:
    alice = await api.user()
    for raw in ("%ff%fe", "%ed%a0%80", "%c3%28", "a%00b"):
        r = await alice.get(f"/users/search?q={raw}")
        if r.status_code >= 400:
            assert_client_error(r)
        else:
            assert r.status_code == 200 and isinstance(r.json(), list), r.text


# ---------------------------------------------------------------- rules on content


async def test_message_content_rules(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = (await alice.direct_chat(bob))["id"]
    path = f"/chats/{chat}/messages"
    longest = "😀" * 4000  # 4000 characters, 16000 bytes of UTF-8
    sent = await alice.say(chat, longest)
    for body in (
        {"content": "x" * 4001},
        {"content": "😀" * 4001},
        {"content": ""},
        {"content": "   \n\t  "},
        {"content": "\u3000\u2003"},  # ideographic and em spaces are whitespace too
        {},
    ):
        r = await alice.post(path, json=body)
        assert r.status_code == 422, f"{body!r:.40}: {r.status_code} {r.text}"
        assert_client_error(r, not_echoed=[ECHO, "x" * 100, "😀" * 10])
    msg_path = f"{path}/{sent['id']}"
    for body in ({"content": "x" * 4001}, {"content": " "}, {"content": ""}):
        r = await alice.patch(msg_path, json=body)
        assert r.status_code == 422, r.text
        assert_client_error(r)
    r = await bob.get(path)
    assert [m["content"] for m in r.json()] == [longest]


async def test_chat_creation_rules(api: Api) -> None:
    alice, bob, carol = await api.user(), await api.user(), await api.user()
    invalid = [
        {"is_group": True, "member_ids": [bob.id]},
        {"is_group": True, "title": None, "member_ids": [bob.id]},
        {"is_group": True, "title": "", "member_ids": [bob.id]},
        {"is_group": True, "title": "   ", "member_ids": [bob.id]},
        {"is_group": True, "title": "t" * 101, "member_ids": [bob.id]},
        {"is_group": False, "member_ids": [alice.id]},
        {"is_group": False, "member_ids": []},
        {"is_group": False, "member_ids": [bob.id, carol.id]},
        {"member_ids": [bob.id, carol.id]},
    ]
    for body in invalid:
        r = await alice.post("/chats", json=body)
        assert r.status_code == 422, f"{body}: {r.status_code} {r.text}"
        assert_client_error(r)
    unknown = carol.id + 1000
    for body in (
        {"is_group": False, "member_ids": [unknown]},
        {"is_group": True, "title": "t", "member_ids": [bob.id, unknown]},
    ):
        r = await alice.post("/chats", json=body)
        assert r.status_code == 404, f"{body}: {r.status_code} {r.text}"
        assert_client_error(r)
    for user in (alice, bob, carol):
        r = await user.get("/chats")
        assert r.json() == [], "a refused chat must not have been created"


# ---------------------------------------------------------------- verbatim round trips

NASTY = {
    "sql quote": "'; DROP TABLE messages; --",
    "sql or": '" OR 1=1 --',
    "like wildcards": "%_\\",
    "backslashes": "\\' \\\" \\\\ \\n \\0",
    "img": "<img src=x onerror=alert(1)>",
    "script": "<script>alert('x')</script>",
    "emoji and 4-byte": "😀𝄞",
    "astral mix": "👩🏽‍💻 🏳️‍🌈 \U0001d54f \U0010fffd 🀄",
    "scripts": "Ünïcödé ǅ ß İ ﬃ 中文 日本語 한국어 עברית العربية",
    "combining": "e\u0301 vs \u00e9 and Z̤͔ͧ̑̓",
    "invisible": "a\u200bb\u200dc\u202ed\ufeffe\u2060f",
    "controls": "tab\tnew\nline\rcr\x01\x1f\x7f",
    "templates": "{{7*7}} ${jndi:ldap://x} %s %n {0}",
    "json-ish": '{"content": "x"} ]} \\u0000',
}


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
async def test_text_round_trips_verbatim(api: Api, text: str) -> None:
    alice = await api.user(display_name=text)
    bob = await api.user()
    group = await alice.group(text, bob)
    assert group["title"] == text
    sent = await alice.say(group["id"], text)
    assert sent["content"] == text
    r = await bob.get(f"/chats/{group['id']}/messages")
    assert [m["content"] for m in r.json()] == [text]
    r = await bob.get(f"/chats/{group['id']}")
    chat = r.json()
    assert chat["title"] == text
    assert chat["last_message"]["content"] == text
    names = {m["user"]["id"]: m["user"]["display_name"] for m in chat["members"]}
    assert names[alice.id] == text
    r = await bob.get(f"/users/{alice.id}")
    assert r.json()["display_name"] == text
    # The same text through the update routes.
    edited, renamed = text + " (edited)", "re: " + text
    r = await alice.patch(f"/chats/{group['id']}/messages/{sent['id']}", json={"content": edited})
    assert r.status_code == 200 and r.json()["content"] == edited, r.text
    r = await alice.patch(f"/chats/{group['id']}", json={"title": renamed})
    assert r.status_code == 200 and r.json()["title"] == renamed, r.text
    r = await alice.patch("/users/me", json={"display_name": renamed})
    assert r.status_code == 200 and r.json()["display_name"] == renamed, r.text
    r = await bob.get("/chats")
    assert r.json()[0]["title"] == renamed
    assert r.json()[0]["last_message"]["content"] == edited
    r = await bob.get(f"/users/{alice.id}")
    assert r.json()["display_name"] == renamed


# ---------------------------------------------------------------- search


async def test_search_treats_percent_and_underscore_literally(api: Api) -> None:
    searcher = await api.user()
    people = {
        "under_score": "Under Score",
        "underxscore": "Underx",
        "hundred": "100% sure",
        "hundreds": "1000 sure",
        "slashy": "back\\slash",
        "slashless": "backslash",
    }
    ids = {}
    for username, display_name in people.items():
        ids[(await api.user(username, display_name=display_name)).id] = username
    expected = {
        "under_": {"under_score"},
        "_": {"under_score"},
        "r_s": {"under_score"},
        "%": {"hundred"},
        "100%": {"hundred"},
        "0% s": {"hundred"},
        "\\": {"slashy"},
        "k\\s": {"slashy"},
        "%_": set(),
        "_%": set(),
        "%%": set(),
        "\\%": set(),
    }
    for q, names in expected.items():
        r = await searcher.get("/users/search", params={"q": q})
        assert r.status_code == 200, r.text
        found = {ids.get(u["id"], u["username"]) for u in r.json()}
        assert found == names, f"q={q!r}: {found}"


@pytest.mark.parametrize("name", ["Ünïcödé", "ÅSA", "Ωmega", "ÉCOLE"])
async def test_search_finds_non_ascii_display_names_case_insensitively(api: Api, name: str) -> None:
    """API.md: search is a case-insensitive match on display_name, accents and all."""
    searcher = await api.user()
    target = await api.user(display_name=name)
    for q in (name, name.lower(), name.upper()):
        r = await searcher.get("/users/search", params={"q": q})
        assert r.status_code == 200, r.text
        assert [u["id"] for u in r.json()] == [target.id], f"q={q!r}: {r.json()}"


# ---------------------------------------------------------------- no leaks


async def test_no_response_leaks_hashes_or_other_peoples_emails(api: Api) -> None:
    alice, bob, carol, dave = [await api.user() for _ in range(4)]
    everyone = [alice, bob, carol, dave]
    direct = await alice.direct_chat(bob)
    group = await alice.group("leaky?", bob, carol)
    first = await bob.say(group["id"], "hi all")
    await carol.say(group["id"], "hello")
    await bob.say(direct["id"], "just us")

    for me in everyone:
        g, d = group["id"], direct["id"]
        user_out = [
            await me.get("/auth/me"),
            await me.patch("/users/me", json={"display_name": f"{me.username} again"}),
        ]
        others = [
            await me.get("/users/search", params={"q": "u"}),
            await me.get("/users/search", params={"q": "example"}),
            *[await me.get(f"/users/{u.id}") for u in everyone],
            await me.get("/chats"),
            await me.get(f"/chats/{g}"),
            await me.get(f"/chats/{d}"),
            await me.get(f"/chats/{g}/messages"),
            await me.get(f"/chats/{d}/messages"),
            await me.post("/chats", json={"is_group": False, "member_ids": [bob.id]}),
            await me.post("/chats", json={"is_group": True, "title": "x", "member_ids": [dave.id]}),
            await me.post(f"/chats/{g}/members", json={"user_id": dave.id}),
            await me.post(f"/chats/{g}/messages", json={"content": "scan"}),
            await me.patch(f"/chats/{g}/messages/{first['id']}", json={"content": "edit"}),
            await me.patch(f"/chats/{g}", json={"title": "renamed"}),
            await me.post(f"/chats/{g}/read", json={"message_id": first["id"]}),
            await me.client.post("/auth/login", json={"username": me.email, "password": PASSWORD}),
            await me.client.post("/auth/refresh", json={"refresh_token": me.refresh_token}),
            await me.client.post(
                "/auth/register",
                json={"username": bob.username, "email": bob.email, "password": PASSWORD},
            ),
            await me.client.post("/auth/login", json={"username": bob.email, "password": "nope"}),
        ]
        for r in user_out:
            assert r.status_code == 200, r.text
            assert r.json()["email"] == me.email
        assert others[1].json() == [], "search must not match on e-mail addresses"
        for r in user_out + others:
            assert r.status_code < 500, f"{r.request.url}: {r.text}"
            assert "$argon2" not in r.text, f"{r.request.url}: {r.text}"
            for other in everyone:
                if other is not me:
                    assert other.email.lower() not in r.text.lower(), f"{r.request.url}: {r.text}"
        for r in others:
            # Every test e-mail ends so: none may appear outside your own UserOut.
            assert "@example.com" not in r.text, f"{r.request.url}: {r.text}"
