"""History paging, idempotent sends, edits, deletes and read state."""

import asyncio
from pathlib import Path

import httpx

from tests.support import Api, RunningServer, serve, test_settings


async def test_history_pages_both_ways(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    cid = chat["id"]
    sent = [await (alice if i % 2 else bob).say(cid, f"m{i}") for i in range(12)]
    ids = [m["id"] for m in sent]
    assert ids == sorted(ids)

    newest = (await alice.get(f"/chats/{cid}/messages?limit=5")).json()
    assert [m["id"] for m in newest] == ids[-5:]
    older = (await alice.get(f"/chats/{cid}/messages?limit=5&before={newest[0]['id']}")).json()
    assert [m["id"] for m in older] == ids[-10:-5]
    oldest = (await alice.get(f"/chats/{cid}/messages?limit=5&before={older[0]['id']}")).json()
    assert [m["id"] for m in oldest] == ids[:2]
    after = (await bob.get(f"/chats/{cid}/messages?after={ids[3]}&limit=4")).json()
    assert [m["id"] for m in after] == ids[4:8]
    everything = (await bob.get(f"/chats/{cid}/messages")).json()
    assert [m["content"] for m in everything] == [f"m{i}" for i in range(12)]
    assert (await bob.get(f"/chats/{cid}/messages?after=1&before=5")).status_code == 422
    assert (await bob.get(f"/chats/{cid}/messages?limit=201")).status_code == 422
    assert (await bob.get(f"/chats/{cid}/messages?limit=0")).status_code == 422


async def test_message_shape(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    msg = await alice.say(chat["id"], "hello", client_id="c-1")
    assert set(msg) >= {
        "id",
        "chat_id",
        "sender_id",
        "content",
        "attachment_url",
        "created_at",
        "edited_at",
        "is_read",
        "client_id",
    }
    assert msg["chat_id"] == chat["id"] and msg["sender_id"] == alice.id
    assert msg["client_id"] == "c-1" and msg["is_read"] is False and msg["edited_at"] is None
    assert msg["created_at"].endswith("+00:00") or msg["created_at"].endswith("Z")


async def test_client_id_makes_sends_idempotent(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    url = f"/chats/{chat['id']}/messages"
    first = await alice.post(url, json={"content": "once", "client_id": "abc"})
    again = await alice.post(url, json={"content": "once", "client_id": "abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    # The same client_id from another sender is another message.
    other = await bob.post(url, json={"content": "mine", "client_id": "abc"})
    assert other.status_code == 201
    assert len((await alice.get(url)).json()) == 2


async def test_racing_retries_store_one_message(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    url = f"/chats/{chat['id']}/messages"
    results = await asyncio.gather(
        *[alice.post(url, json={"content": "retry", "client_id": "race"}) for _ in range(10)]
    )
    assert sorted(r.status_code for r in results) == [200] * 9 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert len((await bob.get(url)).json()) == 1


async def test_edit_and_delete_rules(api: Api) -> None:
    owner, member = await api.user(), await api.user()
    chat = await owner.group("G", member)
    cid = chat["id"]
    mine = await member.say(cid, "typo")
    theirs = await owner.say(cid, "owner's")

    assert (
        await owner.patch(f"/chats/{cid}/messages/{mine['id']}", json={"content": "x"})
    ).status_code == 403
    r = await member.patch(f"/chats/{cid}/messages/{mine['id']}", json={"content": "fixed"})
    assert r.status_code == 200
    assert r.json()["content"] == "fixed" and r.json()["edited_at"] is not None
    assert (
        await member.patch(f"/chats/{cid}/messages/{mine['id']}", json={"content": " "})
    ).status_code == 422

    # A member cannot delete others' messages; the owner can.
    assert (await member.delete(f"/chats/{cid}/messages/{theirs['id']}")).status_code == 403
    assert (await owner.delete(f"/chats/{cid}/messages/{mine['id']}")).status_code == 204
    assert (await owner.delete(f"/chats/{cid}/messages/{mine['id']}")).status_code == 404
    assert (
        await member.patch(f"/chats/{cid}/messages/{mine['id']}", json={"content": "y"})
    ).status_code == 404
    assert (await member.delete(f"/chats/{cid}/messages/{theirs['id']}")).status_code == 403
    assert (await owner.delete(f"/chats/{cid}/messages/{theirs['id']}")).status_code == 204
    assert (await member.get(f"/chats/{cid}/messages")).json() == []
    # The list forgets deleted messages too.
    listed = (await member.get("/chats")).json()[0]
    assert listed["last_message"] is None and listed["unread_count"] == 0


async def test_message_in_the_wrong_chat_is_not_found(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    one = await alice.direct_chat(bob)
    two = await alice.group("Other", bob)
    msg = await alice.say(one["id"], "here")
    r = await alice.patch(f"/chats/{two['id']}/messages/{msg['id']}", json={"content": "x"})
    assert r.status_code == 404
    assert (await alice.delete(f"/chats/{two['id']}/messages/{msg['id']}")).status_code == 404


async def test_read_state(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    chat = await alice.group("Readers", bob, carol)
    cid = chat["id"]
    m1 = await alice.say(cid, "one")
    m2 = await alice.say(cid, "two")
    unread = {c["id"]: c["unread_count"] for c in (await bob.get("/chats")).json()}
    assert unread[cid] == 2

    assert (await bob.post(f"/chats/{cid}/read", json={"message_id": m1["id"]})).status_code == 204
    msgs = (await alice.get(f"/chats/{cid}/messages")).json()
    assert [m["is_read"] for m in msgs] == [True, False]
    assert (await bob.get(f"/chats/{cid}")).json()["unread_count"] == 1
    # Carol has read nothing, and reading backwards changes nothing.
    assert (await carol.get(f"/chats/{cid}")).json()["unread_count"] == 2
    await bob.post(f"/chats/{cid}/read", json={"message_id": m2["id"] + 1000})
    await bob.post(f"/chats/{cid}/read", json={"message_id": m1["id"]})
    assert (await bob.get(f"/chats/{cid}")).json()["unread_count"] == 0
    # A marker past the newest message does not hide the next one.
    m3 = await alice.say(cid, "three")
    assert (await bob.get(f"/chats/{cid}")).json()["unread_count"] == 1
    assert [m["is_read"] for m in (await alice.get(f"/chats/{cid}/messages")).json()] == [
        True,
        True,
        False,
    ]
    assert m3["is_read"] is False


async def test_sending_is_rate_limited(database_url: str, tmp_path: Path) -> None:
    settings = test_settings(
        database_url, tmp_path, messages_per_window=5, message_window_seconds=60
    )
    async with serve(settings) as server:
        await _send_until_limited(server)


async def _send_until_limited(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        api = Api(client)
        alice, bob = await api.user(), await api.user()
        chat = await alice.direct_chat(bob)
        codes = [
            (
                await alice.post(f"/chats/{chat['id']}/messages", json={"content": str(i)})
            ).status_code
            for i in range(7)
        ]
        assert codes == [201] * 5 + [429, 429]
        r = await alice.post(f"/chats/{chat['id']}/messages", json={"content": "again"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # Others are not limited by alice's sending.
        assert (
            await bob.post(f"/chats/{chat['id']}/messages", json={"content": "me"})
        ).status_code == 201
