"""Message search, on SQLite (FTS5) and MariaDB (FULLTEXT): what it finds, and for whom."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import text as sql

from parley.messages.search_index import fold
from parley.search.query import parse
from parley.search.service import _pattern, _regexp, highlights
from tests.support import Api, RunningServer, User


async def _search(user: User, q: str, **params: Any) -> dict[str, Any]:
    r = await user.get("/search/messages", params={"q": q, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _found(user: User, q: str, **params: Any) -> list[str]:
    return [r["message"]["content"] for r in (await _search(user, q, **params))["results"]]


async def test_has_link_follows_edits_and_deletes_in_any_case(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Links", bob)
    plain = await alice.say(chat["id"], "notes for the launch")
    shouting = await alice.say(chat["id"], "launch page at HTTPS://EXAMPLE.ORG/L")
    await alice.say(chat["id"], "launch party, no address")
    assert await _found(bob, "launch has:link") == ["launch page at HTTPS://EXAMPLE.ORG/L"]
    path = f"/chats/{chat['id']}/messages"
    edited = "notes for the launch: http://example.org/n"
    r = await alice.patch(f"{path}/{plain['id']}", json={"content": edited})
    assert r.status_code == 200, r.text
    assert await _found(bob, "launch has:link") == [shouting["content"], edited]
    assert (await alice.delete(f"{path}/{shouting['id']}")).status_code == 204
    assert await _found(bob, "launch has:link") == [edited]
    r = await alice.patch(f"{path}/{plain['id']}", json={"content": "notes for the launch"})
    assert r.status_code == 200, r.text
    assert await _found(bob, "launch has:link") == []


async def test_finds_words_prefixes_and_phrases_newest_first(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Ops", bob)
    for text in (
        "the deployment went fine",
        "Deploying again tomorrow",
        "nothing to see here",
        "we deploy on fridays, about noon",
    ):
        await alice.say(chat["id"], text)
    assert await _found(bob, "deploy") == [
        "we deploy on fridays, about noon",
        "Deploying again tomorrow",
        "the deployment went fine",
    ]
    assert await _found(bob, "deplo went") == ["the deployment went fine"]
    assert await _found(bob, '"deployment went"') == ["the deployment went fine"]
    assert await _found(bob, '"went deployment"') == []
    assert await _found(bob, "about") == ["we deploy on fridays, about noon"]
    page = await _search(bob, "deploy")
    first = page["results"][0]
    assert first["chat_id"] == chat["id"]
    assert first["highlights"] == [[3, 9]]
    assert page["next_cursor"] is None


FULL_WIDTH = "\uff30\uff21\uff32\uff2c\uff25\uff39 rocks"  # PARLEY in full-width letters


async def test_case_accents_width_and_other_scripts(api: Api) -> None:
    alice = await api.user()
    chat = await alice.group("Languages")
    for text in (
        "Rendez-vous au Café de Flore",
        "Привет, мир! Встреча в пятницу",
        "Καλημέρα σας",
        FULL_WIDTH,
        "明日は東京タワーに行きます",
        "Straße gesperrt",
    ):
        await alice.say(chat["id"], text)
    assert await _found(alice, "cafe") == ["Rendez-vous au Café de Flore"]
    assert await _found(alice, "CAFÉ") == ["Rendez-vous au Café de Flore"]
    assert await _found(alice, "встреч") == ["Привет, мир! Встреча в пятницу"]
    assert await _found(alice, "ПРИВЕТ") == ["Привет, мир! Встреча в пятницу"]
    assert await _found(alice, "καλημερα") == ["Καλημέρα σας"]
    assert await _found(alice, "parley") == [FULL_WIDTH]
    assert await _found(alice, "東京") == ["明日は東京タワーに行きます"]
    assert await _found(alice, "タワー") == ["明日は東京タワーに行きます"]
    assert await _found(alice, "strasse") == ["Straße gesperrt"]


async def test_only_my_chats_and_never_deleted_or_old_text(api: Api) -> None:
    alice, bob, eve = await api.user(), await api.user(), await api.user()
    ours = await alice.group("Ours", bob)
    secret = await alice.group("Secret", eve)
    await alice.say(ours["id"], "pineapple pizza")
    await alice.say(secret["id"], "pineapple smoothie")
    assert await _found(bob, "pineapple") == ["pineapple pizza"]
    assert await _found(bob, "pineapple", chat_id=secret["id"]) == []
    assert await _found(bob, f"pineapple in:{secret['id']}") == []
    assert sorted(await _found(alice, "pineapple")) == ["pineapple pizza", "pineapple smoothie"]
    # Eve leaves: the chat's messages are no longer hers to find.
    r = await eve.delete(f"/chats/{secret['id']}/members/{eve.id}")
    assert r.status_code == 204
    assert await _found(eve, "pineapple") == []
    # Edited: found by the new text only. Deleted: found no more.
    message = await alice.say(ours["id"], "mango lassi")
    path = f"/chats/{ours['id']}/messages/{message['id']}"
    assert (await alice.patch(path, json={"content": "papaya salad"})).status_code == 200
    assert await _found(bob, "mango") == []
    assert await _found(bob, "papaya") == ["papaya salad"]
    assert (await alice.delete(path)).status_code == 204
    assert await _found(bob, "papaya") == []


async def test_operators_narrow_the_search(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    one = await alice.group("One", bob)
    two = await alice.group("Two", bob)
    await alice.say(one["id"], "report from alice")
    await bob.say(one["id"], "report from bob, see https://example.org/r")
    await bob.say(two["id"], "report in two")
    upload = await bob.post(
        "/attachments", files={"file": ("notes.txt", b"plain notes", "text/plain")}
    )
    assert upload.status_code == 201, upload.text
    await bob.say(two["id"], "report attached", attachment_url=upload.json()["url"])
    assert await _found(alice, f"report from:{bob.username}") == [
        "report attached",
        "report in two",
        "report from bob, see https://example.org/r",
    ]
    assert await _found(alice, f"report from:@{bob.username.upper()}") != []
    assert await _found(alice, f"report in:{two['id']}") == ["report attached", "report in two"]
    assert await _found(alice, "report", chat_id=one["id"]) == [
        "report from bob, see https://example.org/r",
        "report from alice",
    ]
    assert await _found(alice, "report has:link") == ["report from bob, see https://example.org/r"]
    assert await _found(alice, "report has:file") == ["report attached"]
    assert await _found(alice, "report has:image") == []
    assert await _found(alice, "report before:2000-01-01") == []
    assert len(await _found(alice, "report after:2000-01-01")) == 4
    assert await _found(alice, "report from:nobody_here") == []


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "from:alice",
        "has:file in:3",
        "!!! ??? ---",
        '""',
        "has:nonsense word",
        "in:abc word",
        "before:yesterday word",
        "x" * 501,
    ],
)
async def test_queries_without_a_word_or_with_a_bad_operator_are_422(api: Api, q: str) -> None:
    alice = await api.user()
    r = await alice.get("/search/messages", params={"q": q})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input"


@pytest.mark.parametrize(
    "q",
    [
        'NEAR(a b) OR "x',
        "* ^ : ( ) { } + - ~ < > @ AND OR NOT",
        "word*",
        '"unbalanced',
        "col:umn body:x",
        "\\'; DROP TABLE messages; --",
        "a" * 400 + " " + "b",
        "ok",
        "%_%",
    ],
)
async def test_hostile_queries_never_fail(api: Api, q: str) -> None:
    alice = await api.user()
    chat = await alice.group("Hostile")
    await alice.say(chat["id"], "a word with 100% of _underscores_ ok")
    r = await alice.get("/search/messages", params={"q": q})
    assert r.status_code in (200, 422), r.text
    if q == "ok":
        assert [x["message"]["content"] for x in r.json()["results"]] == [
            "a word with 100% of _underscores_ ok"
        ]
    if q == "%_%":
        assert r.status_code == 422


async def test_undecodable_bytes_in_the_query_are_no_failure(api: Api) -> None:
    alice = await api.user()
    # A lone surrogate, encoded as UTF-8 would if it could: not valid UTF-8.
    r = await alice.get("/search/messages?q=%ED%B2%80%20lone")
    assert r.status_code in (200, 422), r.text


async def test_pages_have_no_repeats_or_gaps_while_messages_arrive(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Paging", bob)
    for i in range(25):
        await alice.say(chat["id"], f"ticket {i}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = await _search(bob, "ticket", **params)
        seen += [r["message"]["content"] for r in page["results"]]
        await alice.say(chat["id"], "ticket new")  # newer than the walk: never in it
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"ticket {i}" for i in reversed(range(25))]
    bad = await bob.get("/search/messages", params={"q": "ticket", "cursor": "abc"})
    assert bad.status_code == 422
    assert (await bob.get("/search/messages", params={"q": "x", "limit": 51})).status_code == 422


async def test_concurrent_sends_are_all_indexed(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.group("Burst", bob)
    await asyncio.gather(
        *(u.say(chat["id"], f"burst {u.username} {i}") for u in (alice, bob) for i in range(10))
    )
    assert len(await _found(alice, "burst", limit=50)) == 20


def test_highlights_point_into_the_original_text() -> None:
    content = "Café, CAFE and café — Straße 東京タワー"
    spans = highlights(content, parse("cafe strasse 東京"))
    assert [content[a:b] for a, b in spans] == ["Café", "CAFE", "café", "Straße", "東京"]
    assert highlights("deployment", parse("deplo")) == [[0, 10]]
    assert highlights("redeploy", parse("deploy")) == []
    assert fold("ÀÉÎ \uff71") == "aei ア"


_TEXTS = (
    "Deployment_v2 done, redeploy later",
    "Привет, Мир! мирный день",
    "naïve café in the Straße",
    "x-ray vision; xray too",
    "東京タワーの夜景",
    "foo(bar) [baz] a.b.c $5 ^caret^",
    "3rd place ² and ⅻ",
    "tab\tseparated\nlines",
    "ünïcode_underscore mixed_Case",
)
_QUERIES = (
    "deplo",
    "v2",
    "deploy",
    "мир",
    "мирн",
    "cafe",
    "strasse",
    "ray",
    '"x ray"',
    "xra",
    "東京",
    "タワ",
    "bar",
    "baz",
    "b.c",
    "caret",
    "5",
    "3rd",
    "place",
    "separated lines",
    '"tab separated"',
    "unicode",
    "underscore",
    "case",
)


async def test_mariadb_matches_as_the_highlights_do(server: RunningServer, backend: str) -> None:
    """On MariaDB some searches are matched by REGEXP in the database, with the patterns
    the highlights use in Python; both must say the same of every text."""
    if backend != "mariadb":
        pytest.skip("SQLite matches these searches in Python, with the highlights' patterns")
    async with server.app.state.parley.engine.connect() as conn:
        for q in _QUERIES:
            for term in parse(q).terms:
                for content in _TEXTS:
                    body = fold(content)
                    found = await conn.scalar(
                        sql("SELECT :body REGEXP :pattern"),
                        {"body": body, "pattern": _regexp(term)},
                    )
                    assert bool(found) == bool(_pattern(term).search(body)), (q, content)
