from tests.support import Api


async def test_register_login_and_chat(api: Api) -> None:
    alice = await api.user("alice")
    bob = await api.user("bob")
    chat = await alice.direct_chat(bob)
    msg = await alice.say(chat["id"], "hello")
    r = await bob.get(f"/chats/{chat['id']}/messages")
    assert [m["content"] for m in r.json()] == ["hello"]
    r = await bob.get("/chats")
    assert r.json()[0]["unread_count"] == 1
    assert r.json()[0]["last_message"]["id"] == msg["id"]
