"""Every error body says what went wrong in words (`detail`) and in a stable `code`.

And 405s name every method of the path, with the web client served behind the API.
"""

from pathlib import Path

import httpx

from parley.core.errors import ERROR_CODES
from tests.support import Api, RunningServer, serve, test_settings
from tests.test_web_security import web_dir


async def test_every_rest_error_carries_a_code(api: Api, server: RunningServer) -> None:
    alice = await api.user()
    chat = await alice.group("Codes")
    answers = {
        "unauthorized": await api.client.get("/chats"),
        "not_found": await alice.get("/chats/999999"),
        "conflict": await api.client.post(
            "/auth/register",
            json={"username": alice.username, "email": "x@example.com", "password": "x" * 10},
        ),
        "invalid_input": await alice.post(f"/chats/{chat['id']}/messages", json={}),
        "method_not_allowed": await api.client.delete("/chats"),
    }
    for code, r in answers.items():
        body = r.json()
        assert body["code"] == code, (code, r.status_code, r.text)
        assert body["detail"], r.text
        assert code in ERROR_CODES
    assert isinstance(answers["invalid_input"].json()["detail"], list)  # FastAPI's shape


async def test_405s_name_every_method_with_the_web_client_behind(
    database_url: str, tmp_path: Path
) -> None:
    settings = test_settings(database_url, tmp_path, web_dir=web_dir(tmp_path))
    async with serve(settings) as server, httpx.AsyncClient(base_url=server.base_url) as client:
        assert (await client.get("/")).headers["content-type"].startswith("text/html")
        cases = {
            ("DELETE", "/chats"): "GET, POST",
            ("GET", "/auth/login"): "POST",
            ("PUT", "/chats/1"): "GET, PATCH",
            ("DELETE", "/users/me"): "PATCH",
            ("GET", "/chats/1/read"): "POST",
        }
        for (method, path), allowed in cases.items():
            r = await client.request(method, path)
            assert r.status_code == 405, (method, path, r.status_code)
            assert r.headers["allow"] == allowed, (method, path)
            assert r.json()["code"] == "method_not_allowed"
        missing = await client.get("/no/such/page")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
