"""Schemathesis fuzzes every operation of the served /openapi.json, signed in as a real user.

Each operation gets valid and invalid requests (bodies, queries, paths, headers); every
answer must be a non-5xx that the OpenAPI document describes: its status code listed, its
body matching the declared schema, its content type and documented headers present.
Path ids are now and then swapped for ones that exist (a chat, a message, a user, an
attachment of the fuzzing user), so the happy paths are reached too.

Schemathesis's own engine drives the run (what `schemathesis run` does: examples,
coverage and fuzzing phases); its pytest loader (`schemathesis.pytest.from_fixture`)
does not work with pytest 9.2, which no longer has the `_nodeid` it sets.

Bounded: 20 examples per operation and phase, deterministic; about a minute per backend
on two cores.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import schemathesis.engine
from hypothesis import strategies as st
from PIL import Image
from schemathesis.engine import events

from tests.support import PASSWORD, RunningServer, serve_in_thread, test_settings

EXAMPLES_PER_OPERATION = 20

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "mode": "all",
            # Reproducible in CI: the same inputs every run, no example database on disk.
            "deterministic": True,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            # "Schema-valid but refused": Parley has rules a schema cannot state (a direct
            # chat has exactly one other member, `before` and `after` exclude each other,
            # content must not be blank, an upload must not be empty); API.md answers
            # them with 422, which is what this check would flag.
            "positive_data_acceptance": {"enabled": False},
        },
        "operations": [
            {
                # `GET /users/me` is routed to `GET /users/{user_id}`, whose id must be a
                # number: 422, where this check wants 405.
                "include-path": "/users/me",
                "checks": {"unsupported_method": {"enabled": False}},
            }
        ],
    }
)


@dataclass
class Target:
    server: RunningServer
    username: str
    ids: dict[str, int]

    @property
    def base_url(self) -> str:
        return self.server.base_url


def _register(client: httpx.Client, name: str) -> int:
    r = client.post(
        "/auth/register",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _login(client: httpx.Client, name: str) -> dict[str, str]:
    r = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    # With a web client mounted at /, as in production: unknown methods reach the mount.
    web = data_dir / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Parley</title>")
    settings = test_settings(database_url, data_dir, uploads_per_window=10_000, web_dir=web)
    with serve_in_thread(settings) as server, httpx.Client(base_url=server.base_url) as client:
        suffix = server.base_url.rsplit(":", 1)[1]
        me, other = f"fuzz_{suffix}", f"peer_{suffix}"
        other_id = _register(client, other)
        _register(client, me)
        headers = _login(client, me)
        r = client.post(
            "/chats",
            headers=headers,
            json={"is_group": True, "title": "fuzz", "member_ids": [other_id]},
        )
        assert r.status_code == 201, r.text
        chat_id = r.json()["id"]
        r = client.post(
            "/attachments", headers=headers, files={"file": ("dot.png", _png(), "image/png")}
        )
        assert r.status_code == 201, r.text
        attachment = r.json()
        r = client.post(
            f"/chats/{chat_id}/messages",
            headers=headers,
            json={"content": "seed", "attachment_url": attachment["url"], "client_id": "seed"},
        )
        assert r.status_code == 201, r.text
        ids = {
            "chat_id": chat_id,
            "message_id": r.json()["id"],
            "user_id": other_id,
            "attachment_id": attachment["id"],
        }
        yield Target(server, me, ids)


def _schema(target: Target) -> Any:
    schema = schemathesis.openapi.from_url(target.base_url + "/openapi.json", config=CONFIG)

    class FreshSession:
        """A new sign-in for every case: a fuzzed POST /auth/logout must not end the run."""

        def get(self, case: Any, ctx: Any) -> str:
            with httpx.Client(base_url=target.base_url) as client:
                return _login(client, target.username)["Authorization"]

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    schema.auth(refresh_interval=None)(FreshSession)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        known = {name: target.ids[name] for name in path_parameters if name in target.ids}
        return st.sampled_from([path_parameters, {**path_parameters, **known}])

    return schema


def _describe(check: Any) -> str:
    failure = check.failure_info.failure
    return f"{failure.operation}: [{check.name}] {failure.title}\n{failure.message}\n  {check.failure_info.code_sample}"


def test_every_operation_answers_as_documented(target: Target) -> None:
    # The engine is what `schemathesis run` drives: examples, coverage and fuzzing phases.
    schema = _schema(target)
    operations = {result.ok().label for result in schema.get_all_operations()}
    problems: list[str] = []
    cases: dict[str, int] = {}
    checks_run: set[str] = set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            cases[recorder.label] = cases.get(recorder.label, 0) + len(recorder.cases)
            for checks in recorder.checks.values():
                checks_run.update(c.name for c in checks)
                problems.extend(_describe(c) for c in checks if c.failure_info is not None)
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: error {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"after run: {f.title}: {f.message}" for f in event.failures)
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems:\n\n" + "\n\n".join(unique)
    # The run reached every documented operation, several times, with the checks that
    # matter here among those applied.
    assert set(cases) == operations and len(operations) >= 20, sorted(operations - set(cases))
    # An operation with no parameters and no body has only a few cases to try.
    nothing_to_vary = {
        "DELETE /users/me/avatar",
        "GET /push/key",
        "GET /push/subscriptions",
        "POST /push/test",
        "GET /users/me/notifications",
        "GET /invites",
        "GET /users/me/exports",
        "DELETE /auth/sessions",
    }
    thin = {label: n for label, n in cases.items() if n < 5 and label not in nothing_to_vary}
    assert not thin, thin
    wanted = {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "ignored_auth",
    }
    assert wanted <= checks_run, sorted(wanted - checks_run)
