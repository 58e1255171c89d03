"""Some searches are matched outside the index: those narrowed to one chat or one sender
(`parley.search.service._match_narrow`) and, on MariaDB, those my newest messages answer
(`_match_newest`). They must find exactly what the index finds."""

from typing import Any

import pytest

from parley.search import service
from tests.support import Api

TEXTS = (
    "the deployment went fine",
    "Deploying again tomorrow, about noon",
    "redeploy? no: deploy_v2 first",
    "Rendez-vous au Café de Flore",
    "Привет, мир! Встреча в пятницу",
    "明日は東京タワーに行きます",
    "Straße gesperrt, see https://example.org/map",
    "\uff30\uff21\uff32\uff2c\uff25\uff39 deploys",
)
QUERIES = (
    "deploy",
    "deplo went",
    '"deployment went"',
    '"went deployment"',
    # Not "v2": FTS5 and the highlights split "deploy_v2" at "_", MariaDB's FULLTEXT
    # keeps it one word, so there the index and this matching differ.
    "cafe",
    "встреч",
    "東京",
    "タワー",
    "strasse has:link",
    "parley",
    "again before:2000-01-01",
    "nothing",
)


async def test_narrow_matching_finds_what_the_index_finds(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Ops", bob)
    other = await alice.group("Elsewhere", bob)
    for n, text in enumerate(TEXTS):
        await (alice if n % 2 else bob).say(chat["id"], text)
        await alice.say(other["id"], text)

    async def pages(q: str, **params: Any) -> list[list[int]]:
        """Every page of the search, two results a page, by message id."""
        found, cursor = [], None
        while True:
            extra = {"cursor": cursor} if cursor else {}
            r = await alice.get("/search/messages", params={"q": q, "limit": 2, **params, **extra})
            assert r.status_code == 200, r.text
            body = r.json()
            found.append([result["message"]["id"] for result in body["results"]])
            cursor = body["next_cursor"]
            if cursor is None:
                return found

    searches = [(f"{q} in:{chat['id']}", {}) for q in QUERIES]
    searches += [(f"{q} from:{bob.username}", {}) for q in QUERIES]
    searches += [(q, {"chat_id": other["id"]}) for q in QUERIES]
    searches += [(q, {}) for q in QUERIES]
    narrow = [await pages(q, **params) for q, params in searches]
    # Now every search goes through the index.
    monkeypatch.setattr(service, "NARROW", 0)
    monkeypatch.setattr(service, "SCAN", 0)
    assert [await pages(q, **params) for q, params in searches] == narrow
    assert any(len(found) > 1 for found in narrow)  # some searches really had more pages
