"""Avatars: upload as a square picture, shown wherever a user is, removed, refused."""

import io
import os
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.support import Api, RunningServer, User, eventually, serve, test_settings


def image_bytes(size: tuple[int, int], fmt: str = "PNG", color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


async def put_avatar(user: User, name: str, data: bytes, kind: str = "image/png") -> httpx.Response:
    return await user.client.put(
        "/users/me/avatar", headers=user.headers, files={"file": (name, data, kind)}
    )


async def test_upload_makes_a_square_webp_shown_everywhere(api: Api) -> None:
    alice, bob = await api.user("avatar_alice"), await api.user()
    assert (await alice.get("/auth/me")).json()["avatar_url"] is None
    r = await put_avatar(alice, "me.jpg", image_bytes((800, 400), "JPEG"), "image/jpeg")
    assert r.status_code == 200, r.text
    me = r.json()
    url = me["avatar_url"]
    assert url.startswith(f"/users/{alice.id}/avatar?v=") and me["email"] == alice.email

    # No token needed (an <img> has none); a square WebP, cached for good, never sniffed.
    picture = await api.client.get(url)
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/webp"
    assert picture.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in picture.headers["cache-control"]
    with Image.open(io.BytesIO(picture.content)) as shown:
        assert (shown.format, shown.size) == ("WEBP", (256, 256))

    # The same URL in every UserPublic: /auth/me, /users/{id}, search, chat members.
    assert (await alice.get("/auth/me")).json()["avatar_url"] == url
    assert (await bob.get(f"/users/{alice.id}")).json()["avatar_url"] == url
    found = (await bob.get("/users/search", params={"q": "avatar_alice"})).json()
    assert [u["avatar_url"] for u in found] == [url]
    group = await bob.group("Faces", alice)
    avatars = {m["user"]["id"]: m["user"]["avatar_url"] for m in group["members"]}
    assert avatars == {alice.id: url, bob.id: None}
    (listed,) = (await bob.get("/chats")).json()
    assert {m["user"]["id"]: m["user"]["avatar_url"] for m in listed["members"]} == avatars

    # A new picture gets a new URL; the old one is gone, and so is a guessed one.
    r = await put_avatar(alice, "again.png", image_bytes((100, 300)))
    newer = r.json()["avatar_url"]
    assert r.status_code == 200 and newer != url
    assert (await api.client.get(url)).status_code == 404
    assert (await api.client.get(f"/users/{alice.id}/avatar?v=0123")).status_code == 404
    assert (await api.client.get(f"/users/{alice.id}/avatar")).status_code == 422
    assert (await api.client.get(newer)).status_code == 200

    # Removed: null everywhere, and the picture no longer served.
    r = await alice.delete("/users/me/avatar")
    assert r.status_code == 204
    assert (await bob.get(f"/users/{alice.id}")).json()["avatar_url"] is None
    assert (await api.client.get(newer)).status_code == 404
    assert (await alice.delete("/users/me/avatar")).status_code == 204  # idempotent


async def test_old_picture_file_is_deleted(api: Api, server: RunningServer) -> None:
    alice = await api.user()
    first = (await put_avatar(alice, "a.png", image_bytes((64, 64)))).json()["avatar_url"]
    key = first.split("v=")[1]
    root: Path = server.settings.data_dir / "attachments" / "avatars"
    assert (root / key[:2] / f"{key}.webp").exists()
    await put_avatar(alice, "b.png", image_bytes((64, 64), color="red"))
    # Deleted after the commit, just after the answer is sent.
    await eventually(lambda: not (root / key[:2] / f"{key}.webp").exists())


async def test_refusals_in_words(api: Api) -> None:
    alice = await api.user()
    cases: list[tuple[str, bytes, int, str]] = [
        ("notes.txt", b"just some text", 415, "PNG, JPEG, GIF or WebP"),
        ("run.exe", b"MZ" + b"\0" * 100, 415, "PNG, JPEG, GIF or WebP"),
        ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', 415, "PNG"),
        # Says PNG in its first bytes, then nothing Pillow can read.
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 422, "could not be read"),
        ("empty.png", b"", 422, "empty"),
    ]
    for name, data, status, words in cases:
        r = await put_avatar(alice, name, data)
        assert r.status_code == status, (name, r.text)
        assert words in r.text, (name, r.text)
    assert (await alice.get("/auth/me")).json()["avatar_url"] is None
    no_token = await api.client.put("/users/me/avatar", files={"file": ("a.png", b"x")})
    assert no_token.status_code == 401


async def test_oversize_is_413(database_url: str, tmp_path: Path) -> None:
    async with (
        serve(test_settings(database_url, tmp_path, max_upload_mb=1)) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=60) as client,
    ):
        alice = await Api(client).user()
        r = await put_avatar(alice, "big.png", os.urandom(1024 * 1024 + 1))
        assert r.status_code == 413 and "1 MB" in r.json()["detail"]
        body: dict[str, Any] = (await alice.get("/auth/me")).json()
        assert body["avatar_url"] is None
