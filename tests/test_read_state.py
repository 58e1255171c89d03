"""Who has read a message ("seen by"), and the history page around one message."""

from tests.support import Api


async def test_readers_are_members_whose_marker_reached_the_message(api: Api) -> None:
    alice, bob, carol = [await api.user() for _ in range(3)]
    cid = (await alice.group("Seen", bob, carol))["id"]
    first = (await alice.say(cid, "one"))["id"]
    second = (await alice.say(cid, "two"))["id"]
    readers = f"/chats/{cid}/messages/{first}/readers"
    assert (await alice.get(readers)).json() == []  # the sender never counts
    assert (await bob.post(f"/chats/{cid}/read", json={"message_id": first})).status_code == 204
    got = (await carol.get(readers)).json()
    assert [u["id"] for u in got] == [bob.id]
    assert set(got[0]) >= {"id", "username", "display_name"} and "email" not in got[0]
    assert (await alice.get(f"/chats/{cid}/messages/{second}/readers")).json() == []
    # Carol answers: her marker moves past both.
    await carol.say(cid, "three")
    assert [u["id"] for u in (await alice.get(readers)).json()] == sorted([bob.id, carol.id])
    assert [u["id"] for u in (await bob.get(readers)).json()] == sorted([bob.id, carol.id])


async def test_readers_404s(api: Api) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "hi"))["id"]
    eves = (await eve.group("Eve's", await api.user()))["id"]
    eves_mid = (await eve.say(eves, "hers"))["id"]
    gone = (await alice.say(cid, "gone"))["id"]
    assert (await alice.delete(f"/chats/{cid}/messages/{gone}")).status_code == 204
    for user, chat, message in (
        (eve, cid, mid),  # not a member
        (alice, cid, eves_mid),  # a message of another chat
        (alice, cid, gone),
        (alice, cid, 10**12),
        (alice, 10**12, mid),
    ):
        r = await user.get(f"/chats/{chat}/messages/{message}/readers")
        assert r.status_code == 404 and r.json()["code"] == "not_found", (chat, message)


async def test_around_a_message(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    cid = (await alice.direct_chat(bob))["id"]
    ids = [(await alice.say(cid, f"m{i}"))["id"] for i in range(20)]
    url = f"/chats/{cid}/messages"

    async def around(mid: int, limit: int) -> list[int]:
        r = await bob.get(url, params={"around": mid, "limit": limit})
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()]

    # In the middle: half before, the message, the rest after; ascending.
    assert await around(ids[10], 6) == ids[7:13]
    assert await around(ids[10], 5) == ids[8:13]
    assert await around(ids[10], 1) == [ids[10]]
    # Near either end the other side fills the page.
    assert await around(ids[1], 6) == ids[0:6]
    assert await around(ids[0], 6) == ids[0:6]
    assert await around(ids[18], 6) == ids[14:20]
    assert await around(ids[19], 6) == ids[14:20]
    assert await around(ids[10], 200) == ids
    # Deleted messages are skipped on both sides.
    assert (await alice.delete(f"{url}/{ids[9]}")).status_code == 204
    assert await around(ids[10], 4) == [ids[7], ids[8], ids[10], ids[11]]
    # The default limit is the history's.
    page = (await bob.get(url, params={"around": ids[5]})).json()
    assert [m["id"] for m in page] == [i for i in ids if i != ids[9]]


async def test_around_refuses_cursors_and_unknown_messages(api: Api) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    cid = (await alice.direct_chat(bob))["id"]
    mid = (await alice.say(cid, "here"))["id"]
    gone = (await alice.say(cid, "gone"))["id"]
    assert (await alice.delete(f"/chats/{cid}/messages/{gone}")).status_code == 204
    eves = (await eve.group("Eve's", await api.user()))["id"]
    eves_mid = (await eve.say(eves, "hers"))["id"]
    url = f"/chats/{cid}/messages"
    for extra in ({"before": mid}, {"after": mid}, {"before": mid, "after": mid}):
        r = await alice.get(url, params={"around": mid, **extra})
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", extra
    for bad in (0, -3, "x"):
        assert (await alice.get(url, params={"around": bad})).status_code == 422
    for target in (eves_mid, gone, 10**12):
        r = await alice.get(url, params={"around": target})
        assert r.status_code == 404 and r.json()["code"] == "not_found", target
    r = await eve.get(url, params={"around": mid})
    assert r.status_code == 404 and r.json()["detail"] == "chat not found"
