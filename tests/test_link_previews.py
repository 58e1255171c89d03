"""Link previews: fetched after the send, announced as message.updated, and never from inside.

The fetcher's refusals are proved on the fetcher itself (a loopback site counts every
request that reaches it: a refused link must reach none); the whole path (send → fetch →
store → event → history and replay) runs on a real server, on SQLite and MariaDB, with the
test-only loopback allowance on so it can fetch the local site.
"""

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from parley.config import Settings
from parley.core.events import Event, on_commit, record
from parley.core.unit_of_work import UnitsOfWork
from parley.db.database import create_engine, create_sessionmaker
from parley.previews.fetch import Fetcher, Refused, Unusable, allow_loopback, unsafe
from parley.previews.links import first_link
from parley.previews.runner import Previews
from tests.pages import Site, serve_site
from tests.sockets import open_socket
from tests.support import Api, RunningServer, User, serve, test_settings


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve_site() as running:
        yield running


@pytest.fixture(scope="module")
def other_site() -> Iterator[Site]:
    with serve_site() as running:
        yield running


def loopback_fetcher(**kw: Any) -> Fetcher:
    return Fetcher(allowance=allow_loopback, **kw)


def resolver(table: dict[str, list[str]], calls: list[str] | None = None) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return table[host]

    return resolve


# --- Finding the link ------------------------------------------------------------------


def test_first_link_is_found_as_the_client_finds_it() -> None:
    assert first_link("see https://example.com/a?b=c, then http://x.org") == (
        "https://example.com/a?b=c"
    )
    assert first_link("(https://example.com/page).") == "https://example.com/page"
    assert first_link("HTTPS://Example.com") == "HTTPS://Example.com"
    assert first_link("mail mailto:a@example.com or ftp://example.com") is None
    assert first_link("no link here, not even http alone") is None
    assert first_link("https:// nothing") is None
    assert first_link("xhttps://example.com") is None  # not at a word boundary


# --- Parsing ---------------------------------------------------------------------------


async def test_open_graph_tags_come_first(site: Site) -> None:
    preview = await loopback_fetcher().preview(site.url("/og"))
    assert preview.model_dump() == {
        "url": site.url("/og"),
        "title": "The Open Graph title & more",  # decoded, whitespace collapsed
        "description": "What the page is about.",
        "image_url": site.url("/images/cover.png"),  # made absolute
        "site_name": "Example Site",
    }


async def test_title_and_meta_description_are_the_fallback(site: Site) -> None:
    preview = await loopback_fetcher().preview(site.url("/plain"))
    # Text, not markup: the page's escaped tags stay text for the client to show as such.
    assert preview.title == "Plain <b>title</b>"
    assert preview.description == "A description from the meta tag."
    assert preview.image_url is None and preview.site_name is None


async def test_long_titles_are_cut_and_empty_pages_give_none(site: Site) -> None:
    preview = await loopback_fetcher().preview(site.url("/long"))
    assert preview.title is not None and len(preview.title) == 200
    assert preview.title.endswith("…")
    with pytest.raises(Unusable, match="no title"):
        await loopback_fetcher().preview(site.url("/empty"))


# --- Limits ----------------------------------------------------------------------------


async def test_an_oversize_page_is_cut_off_and_its_head_still_used(site: Site) -> None:
    preview = await loopback_fetcher(max_bytes=64 * 1024).preview(site.url("/big"))
    assert preview.title == "Big page"
    assert preview.description is None  # it sits after the first megabyte: never read
    # The default cap reads half a megabyte of the 1 MiB page, no more.
    _page_url, html = await loopback_fetcher().page(site.url("/big"))
    assert len(html) == 512 * 1024 and "after the cut" not in html


async def test_a_slow_page_is_cut_off_by_the_deadline(site: Site) -> None:
    started = time.monotonic()
    with pytest.raises(Unusable, match="no page within"):
        await loopback_fetcher(timeout=0.5).preview(site.url("/slow"))
    assert time.monotonic() - started < 2


async def test_anything_but_html_is_ignored(site: Site) -> None:
    with pytest.raises(Unusable, match="not HTML"):
        await loopback_fetcher().preview(site.url("/image.png"))
    with pytest.raises(Unusable, match="status 404"):
        await loopback_fetcher().preview(site.url("/missing"))


async def test_redirects_are_followed_at_most_three_times_without_cookies(site: Site) -> None:
    def hops(n: int, to: str) -> str:
        for _ in range(n):
            to = site.url("/redirect?to=") + httpx.URL(to).raw_path.decode()
        return to

    preview = await loopback_fetcher().preview(hops(3, "/og"))
    assert preview.title == "The Open Graph title & more"
    with pytest.raises(Unusable, match="more than 3 redirects"):
        await loopback_fetcher().preview(hops(4, "/og"))
    # The redirect set a cookie; the next hop must not send it back.
    preview = await loopback_fetcher().preview(site.url("/redirect?to=/cookie-check"))
    assert preview.title == "cookie: none"


# --- Refusals (no allowance: the server's real rules) ------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.1:{port}/og",
        "http://localhost:{port}/og",  # a name that resolves to loopback
        "http://[::1]:{port}/og",
        "http://[::ffff:127.0.0.1]:{port}/og",  # IPv4-mapped loopback
        "http://2130706433:{port}/og",  # 127.0.0.1 written as one number
        "http://127.1:{port}/og",
        "http://0.0.0.0:{port}/og",
    ],
)
async def test_loopback_is_refused_and_never_reached(site: Site, link: str) -> None:
    before = site.total
    with pytest.raises(Refused, match="address"):  # for what it is, not for its port
        await Fetcher().preview(link.format(port=site.port))
    assert site.total == before


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "240.0.0.1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "2002:a00:1::",  # 6to4 around 10.0.0.1
        "::",
    ],
)
async def test_private_addresses_are_refused(address: str) -> None:
    assert unsafe(ipaddress.ip_address(address)) is not None
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(Refused, match="address"):
        await Fetcher().preview(f"http://{host}/")
    # The same behind a name: checked after resolving, before connecting.
    with pytest.raises(Refused, match="address"):
        await Fetcher(resolver=resolver({"inside.example": [address]})).preview(
            "http://inside.example/"
        )


async def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    fetcher = Fetcher(resolver=resolver({"mixed.example": ["93.184.216.34", "10.0.0.7"]}))
    with pytest.raises(Refused, match=r"10\.0\.0\.7"):
        await fetcher.preview("https://mixed.example/")


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("ftp://example.com/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("gopher://example.com:70/", "only http and https"),
        ("http://user:secret@example.com/", "credentials"),
        ("http://public.example:8080/", "port 8080"),
        ("https://public.example:22/", "port 22"),
        ("http://public.example:99999/", "not a usable link"),
    ],
)
async def test_schemes_ports_and_credentials_are_refused(link: str, reason: str) -> None:
    fetcher = Fetcher(resolver=resolver({"public.example": ["93.184.216.34"]}))
    with pytest.raises(Refused, match=reason):
        await fetcher.preview(link)


async def test_redirects_to_inside_addresses_are_refused(site: Site, other_site: Site) -> None:
    # Only the first site is allowed (as a public site would be): its redirects are not.
    first = site.port

    def only_first(ip: Any, port: int) -> bool:
        return allow_loopback(ip, port) and port == first

    fetcher = Fetcher(allowance=only_first)
    for target in (
        other_site.url("/og"),  # loopback, another port
        f"http://localhost:{other_site.port}/og",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "file:///etc/passwd",
    ):
        before = other_site.total
        with pytest.raises(Refused):
            await fetcher.preview(site.url(f"/redirect?to={target}"))
        assert other_site.total == before
    # The allowance itself covers loopback only, never private networks.
    with pytest.raises(Refused):
        await loopback_fetcher().preview(site.url("/redirect?to=http://10.0.0.1/"))


async def test_the_connection_goes_to_the_address_that_was_checked(site: Site) -> None:
    """DNS rebinding: a second lookup would answer differently; there is none."""
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    fetcher = Fetcher(allowance=allow_loopback, resolver=rebinding)
    preview = await fetcher.preview(f"http://rebind.example:{site.port}/og")
    assert preview.title == "The Open Graph title & more"
    assert calls == ["rebind.example"]  # resolved once; connected to what was checked
    assert site.hosts[-1] == f"rebind.example:{site.port}"  # the link's name, as Host


async def test_unresolvable_hosts_give_no_preview() -> None:
    with pytest.raises(Unusable, match="cannot resolve"):
        await Fetcher().preview("http://no-such-host.invalid/")


def test_the_loopback_allowance_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="tests only"):
        Settings(
            env="production",
            secret_key="k" * 40,
            preview_unsafe_allow_loopback_for_tests=True,
        )


# --- The whole path, on a real server (SQLite and MariaDB) -------------------------------


@pytest.fixture(scope="module")
async def preview_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningServer]:
    settings = test_settings(
        database_url,
        tmp_path_factory.mktemp("previews"),
        link_previews=True,
        preview_unsafe_allow_loopback_for_tests=True,
        preview_timeout_seconds=1.0,
    )
    async with serve(settings) as running:
        yield running


async def _api(server: RunningServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield Api(client)


@pytest.fixture
async def papi(preview_server: RunningServer) -> AsyncIterator[Api]:
    async for api in _api(preview_server):
        yield api


async def _pair(api: Api) -> tuple[User, User, int]:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    return alice, bob, chat["id"]


async def _stored_previews(database_url: str, message_id: int) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                text("SELECT COUNT(*) FROM link_previews WHERE message_id = :m"),
                {"m": message_id},
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def test_preview_arrives_as_message_updated_and_stays_in_history(
    papi: Api, preview_server: RunningServer, site: Site
) -> None:
    alice, bob, cid = await _pair(papi)
    link = site.url("/og")
    async with open_socket(preview_server.ws_url, bob.token) as b:
        sent = await alice.say(cid, f"look at this: {link}.")
        assert sent["preview"] is None  # the send is answered before anything is fetched
        assert (await b.next("message.new"))["message"]["preview"] is None
        updated = await b.next("message.updated")
    assert updated["chat_id"] == cid
    message = updated["message"]
    assert message["id"] == sent["id"] and message["content"] == sent["content"]
    assert message["preview"] == {
        "url": link,
        "title": "The Open Graph title & more",
        "description": "What the page is about.",
        "image_url": site.url("/images/cover.png"),
        "site_name": "Example Site",
    }
    history = (await bob.get(f"/chats/{cid}/messages")).json()
    assert history[-1]["preview"] == message["preview"]
    (chat,) = [c for c in (await bob.get("/chats")).json() if c["id"] == cid]
    assert chat["last_message"]["preview"] == message["preview"]
    # A socket catching up with `since` gets it too.
    async with open_socket(preview_server.ws_url, bob.token, since=sent["id"] - 1) as b:
        replayed = await b.next("message.new")
    assert replayed["message"]["id"] == sent["id"]
    assert replayed["message"]["preview"] == message["preview"]
    # Messages without a link never get one, and show null.
    plain = await alice.say(cid, "no link")
    assert plain["preview"] is None
    assert (await bob.get(f"/chats/{cid}/messages")).json()[-1]["preview"] is None


async def test_socket_sends_get_previews_too(
    papi: Api, preview_server: RunningServer, site: Site
) -> None:
    alice, bob, cid = await _pair(papi)
    async with (
        open_socket(preview_server.ws_url, alice.token) as a,
        open_socket(preview_server.ws_url, bob.token) as b,
    ):
        await a.send(
            {
                "type": "message.send",
                "chat_id": cid,
                "content": site.url("/plain"),
                "client_id": "p1",
            }
        )
        ack = await a.next("message.ack")
        assert ack["message"]["preview"] is None
        updated = await b.next("message.updated")
    assert updated["message"]["id"] == ack["message"]["id"]
    assert updated["message"]["preview"]["title"] == "Plain <b>title</b>"


async def test_an_edit_to_another_link_replaces_the_preview(
    papi: Api, preview_server: RunningServer, site: Site
) -> None:
    alice, bob, cid = await _pair(papi)
    async with open_socket(preview_server.ws_url, bob.token) as b:
        sent = await alice.say(cid, site.url("/og"))
        await b.next("message.updated")
        url = f"/chats/{cid}/messages/{sent['id']}"
        # Same link, other words: the preview stays and nothing is fetched again.
        hits = site.hits["/og"]
        r = await alice.patch(url, json={"content": f"still {site.url('/og')}"})
        assert r.json()["preview"]["title"] == "The Open Graph title & more"
        assert (await b.next("message.updated"))["message"]["preview"] is not None
        # Another link: the answer shows none at once, the new one follows.
        r = await alice.patch(url, json={"content": f"now {site.url('/plain')}"})
        assert r.status_code == 200 and r.json()["preview"] is None
        assert (await b.next("message.updated"))["message"]["preview"] is None
        fetched = await b.next("message.updated")
        assert fetched["message"]["preview"]["title"] == "Plain <b>title</b>"
        # No link: no preview.
        r = await alice.patch(url, json={"content": "no link any more"})
        assert r.json()["preview"] is None
        assert (await b.next("message.updated"))["message"]["preview"] is None
        assert await b.quiet("message.updated", 0.5) == []
    assert site.hits["/og"] == hits
    assert (await bob.get(f"/chats/{cid}/messages")).json()[-1]["preview"] is None


async def test_refused_links_get_no_preview_on_a_real_server(
    database_url: str, tmp_path: Path, site: Site
) -> None:
    settings = test_settings(database_url, tmp_path, link_previews=True)  # no allowance
    async with serve(settings) as server:
        async for api in _api(server):
            alice, bob, cid = await _pair(api)
            before = site.total
            async with open_socket(server.ws_url, bob.token) as b:
                for link in (
                    site.url("/og"),
                    f"http://localhost:{site.port}/og",
                    f"http://[::1]:{site.port}/og",
                    "http://169.254.169.254/latest/meta-data/",
                    "http://10.0.0.1/",
                ):
                    await alice.say(cid, link)
                assert await b.quiet("message.updated", 1.0) == []
            assert site.total == before
            assert all(
                m["preview"] is None for m in (await bob.get(f"/chats/{cid}/messages")).json()
            )


async def test_previews_turned_off_fetch_nothing(
    database_url: str, tmp_path: Path, site: Site
) -> None:
    settings = test_settings(
        database_url,
        tmp_path,
        link_previews=False,
        preview_unsafe_allow_loopback_for_tests=True,
    )
    async with serve(settings) as server:
        async for api in _api(server):
            alice, bob, cid = await _pair(api)
            before = site.total
            async with open_socket(server.ws_url, bob.token) as b:
                sent = await alice.say(cid, site.url("/og"))
                assert await b.quiet("message.updated", 1.0) == []
            assert site.total == before
            assert server.app.state.parley.previews.running == 0
            assert (await bob.get(f"/chats/{cid}/messages")).json()[-1]["preview"] is None
            assert await _stored_previews(database_url, sent["id"]) == 0


async def test_a_message_deleted_meanwhile_gets_no_preview(
    papi: Api, preview_server: RunningServer, database_url: str, site: Site
) -> None:
    alice, bob, cid = await _pair(papi)
    site.slow_seconds = 0.6  # within the 1 s deadline, but after the delete
    try:
        async with open_socket(preview_server.ws_url, bob.token) as b:
            hits = site.hits["/slow"]
            sent = await alice.say(cid, site.url("/slow"))
            r = await alice.delete(f"/chats/{cid}/messages/{sent['id']}")
            assert r.status_code == 204
            assert (await b.next("message.deleted"))["message_id"] == sent["id"]
            assert await b.quiet("message.updated", 1.5) == []
        assert site.hits["/slow"] == hits + 1  # it was fetched, and then dropped
    finally:
        site.slow_seconds = 3.0
    assert await _stored_previews(database_url, sent["id"]) == 0


async def test_slow_oversize_and_non_html_links_get_no_preview_on_the_server(
    papi: Api, preview_server: RunningServer, site: Site
) -> None:
    alice, bob, cid = await _pair(papi)
    async with open_socket(preview_server.ws_url, bob.token) as b:
        await alice.say(cid, site.url("/slow"))
        await alice.say(cid, site.url("/image.png"))
        big = await alice.say(cid, site.url("/big"))
        updated = await b.next("message.updated")
        # The big page still gives what its head said; the others nothing, and no crash.
        assert updated["message"]["id"] == big["id"]
        assert updated["message"]["preview"]["title"] == "Big page"
        assert await b.quiet("message.updated", 1.5) == []
    r = await bob.get(f"/chats/{cid}/messages")
    assert r.status_code == 200
    assert [m["preview"] is not None for m in r.json()] == [False, False, True]


async def test_shutdown_cancels_fetches_under_way(
    database_url: str, tmp_path: Path, site: Site
) -> None:
    settings = test_settings(
        database_url,
        tmp_path,
        link_previews=True,
        preview_unsafe_allow_loopback_for_tests=True,
        preview_timeout_seconds=30,
    )
    async with serve(settings) as server:
        async for api in _api(server):
            alice, _bob, cid = await _pair(api)
            await alice.say(cid, site.url("/slow"))
            previews = server.app.state.parley.previews
            for _ in range(100):
                if previews.running:
                    break
                await asyncio.sleep(0.01)
            assert previews.running == 1
        started = time.monotonic()
    # Leaving `serve` ran the shutdown: the fetch was cancelled, not waited for.
    assert time.monotonic() - started < 2
    assert previews.running == 0


async def test_on_commit_runs_after_the_commit_and_never_after_a_rollback(
    tmp_path: Path,
) -> None:
    """What starts a fetch: a send that rolls back (a refused one) starts none."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'u.db'}")
    published: list[str] = []

    async def publish(event: Event) -> None:
        published.append(event.type)

    units = UnitsOfWork(create_sessionmaker(engine), publish)
    calls: list[str] = []
    try:
        with pytest.raises(RuntimeError):
            async with units.begin() as session:
                on_commit(session, lambda: calls.append("rolled back"))
                raise RuntimeError("refused")
        async with units.begin() as session:
            record(session, Event("message.new", "{}", frozenset({1})))
            on_commit(session, lambda: calls.append(f"after {published}"))
            assert calls == []
    finally:
        await engine.dispose()
    assert calls == ["after ['message.new']"]  # once, after the events went out


async def test_fetches_are_bounded_and_a_full_backlog_skips_new_links() -> None:
    running = 0
    most = 0
    release = asyncio.Event()

    async def work() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1

    previews = Previews(Fetcher(), concurrency=2, backlog=5)
    assert all([previews.spawn(work) for _ in range(5)])
    assert previews.spawn(work) is False  # the sixth link gets no preview
    await asyncio.sleep(0.05)
    assert (most, previews.running) == (2, 5)
    release.set()
    for _ in range(100):
        if previews.running == 0:
            break
        await asyncio.sleep(0.01)
    assert previews.running == 0 and most == 2
    await previews.close()
