"""Finding people, and changing your own profile."""

from tests.support import PASSWORD, Api


async def test_search_prefix_matches_first(api: Api) -> None:
    me = await api.user("searcher")
    await api.user("annabel", display_name="Zed")
    await api.user("zara", display_name="Anna Smith")
    await api.user("joanna")
    await api.user("bob")
    r = await me.get("/users/search", params={"q": "ANNA"})
    assert r.status_code == 200
    names = [u["username"] for u in r.json()]
    assert set(names[:2]) == {"annabel", "zara"}
    assert names[2:] == ["joanna"]
    assert all(set(u) >= {"id", "username", "display_name"} and "email" not in u for u in r.json())
    assert len((await me.get("/users/search", params={"q": "a", "limit": 2})).json()) == 2
    for bad in ({"q": ""}, {"q": "   "}, {"q": "a", "limit": 51}, {"q": "a", "limit": 0}):
        assert (await me.get("/users/search", params=bad)).status_code == 422
    assert (await api.client.get("/users/search", params={"q": "a"})).status_code == 401


async def test_get_user(api: Api) -> None:
    me, other = await api.user(), await api.user(display_name="Other One")
    r = await me.get(f"/users/{other.id}")
    assert r.status_code == 200
    assert r.json()["display_name"] == "Other One" and "email" not in r.json()
    assert (await me.get("/users/99999999")).status_code == 404


async def test_update_me(api: Api) -> None:
    me = await api.user()
    r = await me.patch("/users/me", json={"display_name": "  New Name  "})
    assert r.status_code == 200 and r.json()["display_name"] == "New Name"
    assert r.json()["email"] == me.email
    r = await me.patch(
        "/users/me", json={"password": "new password 1", "current_password": "wrong"}
    )
    assert r.status_code == 403
    r = await me.patch("/users/me", json={"password": "new password 1"})
    assert r.status_code == 422
    r = await me.patch(
        "/users/me", json={"password": "new password 1", "current_password": PASSWORD}
    )
    assert r.status_code == 200
    login = await api.client.post(
        "/auth/login", json={"username": me.username, "password": PASSWORD}
    )
    assert login.status_code == 401
    login = await api.client.post(
        "/auth/login", json={"username": me.username, "password": "new password 1"}
    )
    assert login.status_code == 200
