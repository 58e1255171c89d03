"""Web security: headers on every answer, CORS only for configured origins, no tokens in logs.

The CSP is the one the web client (desktop/dist/web) needs: its own files, images from
itself plus blob: and data:, connections to its own origin (sockets included), no
framing. The browser end-to-end tests (desktop/tests/e2e, `make desktop-test`) run the
real web client under this header.
"""

import re
import shutil
import signal
from pathlib import Path

import httpx
import pytest

from tests.nodes import Node, free_port, node_env
from tests.sockets import open_socket
from tests.support import PASSWORD, Api, serve, test_settings

WEB_BUILD = Path(__file__).resolve().parents[1] / "desktop" / "dist" / "web"


def directives(policy: str) -> dict[str, set[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def web_dir(tmp_path: Path) -> Path:
    """The real web build when there is one, else a stand-in page."""
    target = tmp_path / "web"
    if (WEB_BUILD / "index.html").is_file():
        shutil.copytree(WEB_BUILD, target)
    else:
        target.mkdir()
        (target / "index.html").write_text("<!doctype html><title>Parley</title>")
    return target


async def test_security_headers_on_the_web_client_and_the_api(
    database_url: str, tmp_path: Path
) -> None:
    settings = test_settings(database_url, tmp_path, web_dir=web_dir(tmp_path), max_body_bytes=1024)
    async with (
        serve(settings) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        alice = await Api(client).user()
        host = server.base_url.removeprefix("http://")
        answers = {
            "web client": await client.get("/"),
            "api": await alice.get("/auth/me"),
            "401": await client.get("/chats"),
            "404": await alice.get("/chats/999999"),
            "405": await client.get("/auth/login"),
            "413": await client.post("/auth/login", content=b"x" * 2000),
            "422": await client.post("/auth/register", json={}),
            "health": await client.get("/healthz"),
            "openapi": await client.get("/openapi.json"),
        }
        assert answers["web client"].status_code == 200
        assert answers["web client"].headers["content-type"].startswith("text/html")
        for name, r in answers.items():
            assert r.headers["x-content-type-options"] == "nosniff", name
            assert r.headers["referrer-policy"] == "no-referrer", name
            assert r.headers["x-frame-options"] == "DENY", name
            csp = directives(r.headers["content-security-policy"])
            assert csp["frame-ancestors"] == {"'none'"}, name
            assert csp["default-src"] == {"'self'"}, name
            assert csp["script-src"] == {"'self'"}, name  # no inline script, no eval
            assert csp["img-src"] == {"'self'", "data:", "blob:", "https:"}, name
            assert csp["connect-src"] == {"'self'", f"ws://{host}", f"wss://{host}"}, name
            assert csp["object-src"] == {"'none'"}, name

        # A forged Host header cannot write into the policy.
        r = await client.get("/", headers={"Host": "evil; script-src *"})
        assert directives(r.headers["content-security-policy"])["connect-src"] == {"'self'"}
        assert "evil" not in r.headers["content-security-policy"]

        # Swagger UI keeps working: its own, wider policy, on its pages only.
        docs = await client.get("/docs")
        docs_csp = directives(docs.headers["content-security-policy"])
        assert "https://cdn.jsdelivr.net" in docs_csp["script-src"]
        assert docs_csp["frame-ancestors"] == {"'none'"}

        # A route's own stricter policy wins (attachments are sandboxed).
        r = await alice.post("/attachments", files={"file": ("a.txt", b"hello", "text/plain")})
        assert r.status_code == 201, r.text
        download = await alice.get(r.json()["url"])
        assert download.status_code == 200
        assert "sandbox" in download.headers["content-security-policy"]


def test_the_web_build_fits_the_policy() -> None:
    """Every script and stylesheet of the built client is a file of its own origin."""
    index = WEB_BUILD / "index.html"
    if not index.is_file():
        pytest.skip("the web client is not built (make web)")
    html = index.read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "no scripts found in the web build"
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), "inline script: blocked by script-src"
        src = re.search(r'src="([^"]+)"', attributes)
        assert src and not re.match(r"[a-z]+:|//", src.group(1)), f"script from elsewhere: {src}"
    for href in re.findall(r'<link\b[^>]*href="([^"]+)"', html):
        assert not re.match(r"[a-z]+:|//", href), f"stylesheet or icon from elsewhere: {href}"
    assert "<style" not in html, "inline <style>: blocked by style-src"


async def test_cors_answers_only_configured_origins(database_url: str, tmp_path: Path) -> None:
    allowed = "https://chat.example.org"
    settings = test_settings(database_url, tmp_path, cors_origins=[allowed])
    async with (
        serve(settings) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        alice = await Api(client).user()
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        for origin in ("https://evil.example", "null", "https://chat.example.org.evil.example"):
            r = await client.get("/auth/me", headers={**alice.headers, "Origin": origin})
            assert r.status_code == 200 and "access-control-allow-origin" not in r.headers, origin
            r = await client.options("/chats", headers={"Origin": origin, **preflight})
            assert "access-control-allow-origin" not in r.headers, origin
        r = await client.get("/auth/me", headers={**alice.headers, "Origin": allowed})
        assert r.headers["access-control-allow-origin"] == allowed
        assert "access-control-allow-credentials" not in r.headers  # tokens, not cookies
        r = await client.options("/chats", headers={"Origin": allowed, **preflight})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == allowed
        assert "authorization" in r.headers["access-control-allow-headers"].lower()


async def test_no_credential_reaches_the_log_even_at_debug_level(tmp_path: Path) -> None:
    """A real `parley serve` at its most talkative; every credential used must stay out."""
    log = tmp_path / "node.log"
    env = node_env(f"sqlite+aiosqlite:///{tmp_path / 'logs.db'}", "", tmp_path) | {
        "PARLEY_LOG_LEVEL": "debug",
        "PARLEY_LOG_FORMAT": "text",
    }
    node = Node(free_port(), env, log)
    node.start()
    secrets = [PASSWORD]
    try:
        async with httpx.AsyncClient(base_url=node.base_url) as client:
            user = await Api(client).user()
            secrets += [user.token, user.refresh_token]
            # Sign in by form as well (the OAuth2 password flow).
            r = await client.post(
                "/auth/login", data={"username": user.username, "password": PASSWORD}
            )
            secrets += [r.json()["access_token"], r.json()["refresh_token"]]
            async with open_socket(node.ws_url, user.token, since=0) as sock:
                await sock.send({"type": "ping"})
                await sock.next("pong")
            # Refused sockets and requests, which log more than the happy path.
            async with open_socket(node.ws_url, user.token + "x") as bad:
                assert await bad.close_code() == 4401
            await client.get("/auth/me", headers={"Authorization": f"Bearer {user.token}x"})
            await client.get(f"/chats?token={user.token}&access_token={user.token}")
            r = await client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
            secrets += [r.json()["access_token"], r.json()["refresh_token"]]
            # The spent refresh token again: reuse is detected and the session revoked.
            await client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
            await client.post(
                "/auth/logout",
                headers={"Authorization": f"Bearer {r.json()['access_token']}"},
                json={"refresh_token": r.json()["refresh_token"]},
            )
    finally:
        node.stop(signal.SIGTERM)
    text = log.read_text(errors="replace")
    assert "DEBUG" in text, "the server did not log at debug level"
    assert "token=[redacted]" in text, "the socket's query was not logged at all"
    for secret in secrets:
        assert secret not in text, "a credential reached the log"
    leaked = re.findall(r"(?i)token=(?!\[redacted\])[^&\s\"']+", text)
    assert leaked == [], leaked[:3]
