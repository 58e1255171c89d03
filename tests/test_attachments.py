"""Attachments end to end: upload, who may fetch, what is refused, previews, storage."""

import asyncio
import io
import os
import resource
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from parley.attachments.files import clean_name
from tests.nodes import free_port
from tests.support import Api, RunningServer, User, serve, test_settings


def png_bytes(size: tuple[int, int] = (640, 480), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


async def upload(
    user: User, name: str, data: bytes, content_type: str = "application/octet-stream"
) -> httpx.Response:
    return await user.post("/attachments", files={"file": (name, data, content_type)})


async def test_upload_send_and_fetch_identical_bytes(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    data = png_bytes()
    r = await upload(alice, "holiday.png", data, "image/png")
    assert r.status_code == 201, r.text
    up = r.json()
    assert up["url"] == f"/attachments/{up['id']}"
    assert (up["name"], up["size"], up["content_type"], up["is_image"]) == (
        "holiday.png",
        len(data),
        "image/png",
        True,
    )

    msg = await alice.say(chat["id"], "", attachment_url=up["url"])
    assert msg["attachment_url"] == up["url"] and msg["attachment"]["id"] == up["id"]
    seen = (await bob.get(f"/chats/{chat['id']}/messages")).json()[0]["attachment"]

    # The chat list and the chat itself show the same last message, attachment and all
    # (links compared without their signature, which may roll over between two calls).
    def unsigned(view: dict[str, Any]) -> dict[str, Any]:
        return {k: v.split("?")[0] if k.endswith("url") and v else v for k, v in view.items()}

    (listed,) = (await bob.get("/chats")).json()
    assert unsigned(listed["last_message"]["attachment"]) == unsigned(seen)
    one = (await bob.get(f"/chats/{chat['id']}")).json()["last_message"]
    assert unsigned(one["attachment"]) == unsigned(seen) and one["id"] == msg["id"]

    # The signed link works without any header, as an <img> tag would fetch it.
    r = await api.client.get(seen["url"])
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("inline")
    # So does a bearer token of a member.
    r = await bob.get(up["url"])
    assert r.status_code == 200 and r.content == data

    r = await api.client.get(seen["thumbnail_url"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(r.content)) as thumb:
        assert max(thumb.size) == 320 and thumb.size == (320, 240)


async def test_outsiders_get_nothing(api: Api) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    chat = await alice.direct_chat(bob)
    up = (await upload(alice, "notes.txt", b"secret plans\n", "text/plain")).json()
    # Before it is sent, only the uploader can read it.
    assert (await alice.get(up["url"])).status_code == 200
    assert (await bob.get(up["url"])).status_code == 404
    await alice.say(chat["id"], "see file", attachment_url=up["url"])
    assert (await bob.get(up["url"])).status_code == 200
    assert (await eve.get(up["url"])).status_code == 404
    assert (await eve.get(f"/attachments/{up['id']}/thumbnail")).status_code == 404
    r = await api.client.get(up["url"])
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    # Forged, tampered or borrowed signatures are as good as nothing.
    signed = up["download_url"]
    for bad in (
        signed[:-1] + ("0" if signed[-1] != "0" else "1"),
        signed.replace("exp=", "exp=1"),
        f"/attachments/{up['id'] + 1}?" + signed.split("?", 1)[1],
        signed.replace(f"/attachments/{up['id']}", f"/attachments/{up['id']}/thumbnail"),
    ):
        assert (await api.client.get(bad)).status_code == 404, bad
    # Text is a download, never rendered inline.
    r = await api.client.get(signed)
    assert r.status_code == 200 and r.content == b"secret plans\n"
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''notes.txt"


async def test_a_message_may_only_carry_its_senders_upload(api: Api) -> None:
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    up = (await upload(alice, "a.txt", b"mine")).json()
    for url in (up["url"], "/attachments/999999", "https://example.com/x.png", "//evil.example/x"):
        r = await bob.post(
            f"/chats/{chat['id']}/messages", json={"content": "", "attachment_url": url}
        )
        assert r.status_code == 422, (url, r.text)


@pytest.mark.parametrize(
    ("name", "data", "claimed"),
    [
        ("cat.png", b"MZ\x90\x00" + os.urandom(200), "image/png"),
        ("tool", b"\x7fELF\x02\x01\x01" + os.urandom(200), "application/octet-stream"),
        ("run.txt", b"#!/bin/sh\nrm -rf ~\n", "text/plain"),
        ("setup.exe", b"just text", "text/plain"),
        ("invoice.pdf.bat", b"@echo off\n", "text/plain"),
    ],
)
async def test_executables_are_refused(api: Api, name: str, data: bytes, claimed: str) -> None:
    alice = await api.user()
    r = await upload(alice, name, data, claimed)
    assert r.status_code == 415, r.text
    assert "not accepted" in r.json()["detail"]


async def test_the_type_comes_from_the_bytes(api: Api) -> None:
    alice = await api.user()
    r = await upload(alice, "photo.pdf", png_bytes((10, 10)), "application/pdf")
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    r = await upload(alice, "page.html", b"<script>alert(1)</script>", "image/png")
    assert r.status_code == 201 and r.json()["content_type"] == "text/plain"
    assert r.json()["is_image"] is False and r.json()["thumbnail_url"] is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("..", "file"),
        ("résumé 2026.txt", "résumé 2026.txt"),
    ],
)
async def test_names_are_sanitised(api: Api, server: RunningServer, raw: str, stored: str) -> None:
    alice = await api.user()
    r = await upload(alice, raw, b"hello", "text/plain")
    assert r.status_code == 201, r.text
    assert r.json()["name"] == stored
    root = server.settings.data_dir / "attachments"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files and all(root in p.parents for p in files)


def test_control_characters_leave_names() -> None:
    # HTTP clients escape these before sending, so the rule is checked directly.
    assert clean_name("a\x00b\x1fc\r\n.txt") == "a_b_c_.txt"
    assert clean_name("x\u202egnp.exe") == "xgnp.exe"  # no right-to-left override tricks
    assert clean_name(None) == "file"
    assert len(clean_name("n" * 500 + ".txt")) == 200 and clean_name("n" * 500 + ".txt").endswith(
        ".txt"
    )


async def test_empty_and_missing_files_are_422(api: Api) -> None:
    alice = await api.user()
    assert (await upload(alice, "empty.txt", b"")).status_code == 422
    assert (await alice.post("/attachments", data={"nothing": "here"})).status_code == 422


async def test_oversize_is_413_without_buffering(database_url: str, tmp_path: Path) -> None:
    async with (
        serve(test_settings(database_url, tmp_path, max_upload_mb=1)) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=60) as client,
    ):
        alice = await Api(client).user()
        r = await upload(alice, "big.bin", os.urandom(1024 * 1024 + 1))
        assert r.status_code == 413 and "1 MB" in r.text
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        async def endless() -> AsyncIterator[bytes]:
            head = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="huge.bin"\r\n\r\n'
            )
            yield head
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):  # 200 MB, streamed without a length
                yield chunk

        headers = {**alice.headers, "Content-Type": "multipart/form-data; boundary=b"}
        try:
            r = await client.post("/attachments", content=endless(), headers=headers)
            assert r.status_code == 413
        except httpx.TransportError:
            pass  # the server may close the connection once it has answered 413
        grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        assert grown_mib < 50, f"peak memory grew by {grown_mib:.0f} MiB"
        # A declared length over the limit is answered before a byte of the body is sent.
        host, port = server.base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f"POST /attachments HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {alice.token}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
        assert status_line.startswith(b"HTTP/1.1 413")


async def test_s3_storage_round_trip(database_url: str, tmp_path: Path) -> None:
    """Against moto's S3-compatible server over HTTP (MinIO cannot be downloaded here)."""
    port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    s3.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        bucket = f"parley-{uuid.uuid4().hex[:8]}"  # moto keeps buckets for the whole process
        keys = {"aws_access_key_id": "parley", "aws_secret_access_key": "parley-secret"}
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(
            Bucket=bucket
        )
        settings = test_settings(
            database_url,
            tmp_path,
            storage="s3",
            s3_bucket=bucket,
            s3_endpoint_url=endpoint,
            s3_region="us-east-1",
            s3_access_key="parley",
            s3_secret_key="parley-secret",
        )
        async with serve(settings) as server, httpx.AsyncClient(base_url=server.base_url) as client:
            api = Api(client)
            alice, bob = await api.user(), await api.user()
            chat = await alice.direct_chat(bob)
            data = png_bytes((50, 40))
            up = (await upload(alice, "s3.png", data, "image/png")).json()
            await alice.say(chat["id"], "via s3", attachment_url=up["url"])
            assert (await bob.get(up["url"])).content == data
            assert (await client.get(up["thumbnail_url"])).status_code == 200
        listed = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", **keys
        ).list_objects_v2(Bucket=bucket)
        assert len(listed["Contents"]) == 2  # the file and its preview
        assert not (tmp_path / "attachments").exists()
    finally:
        s3.stop()
