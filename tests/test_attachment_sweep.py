"""Files of deleted messages, and uploads never sent, are removed after a grace period."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from parley.actions import attachments
from parley.actions.context import Context
from parley.attachments.storage import DiskStorage
from parley.db.models import Attachment
from parley.db.types import utcnow
from tests.support import Api, RunningServer
from tests.test_attachments import png_bytes, upload


async def _keys(ctx: Context) -> dict[int, list[str]]:
    async with ctx.units.sessionmaker() as session:
        rows = await session.execute(
            select(Attachment.id, Attachment.storage_key, Attachment.thumbnail_key)
        )
        return {row.id: [k for k in (row.storage_key, row.thumbnail_key) if k] for row in rows}


async def test_files_nobody_is_shown_go_after_the_grace_period(
    api: Api, server: RunningServer
) -> None:
    ctx: Context = server.app.state.parley
    assert isinstance(ctx.storage, DiskStorage)
    alice, bob = await api.user(), await api.user()
    chat = await alice.direct_chat(bob)
    ups: dict[str, dict[str, Any]] = {}
    for name in ("kept", "deleted", "never-sent"):
        r = await upload(alice, f"{name}.png", png_bytes())
        assert r.status_code == 201, r.text
        ups[name] = r.json()
    await alice.say(chat["id"], "kept", attachment_url=ups["kept"]["url"])
    gone = await alice.say(chat["id"], "oops", attachment_url=ups["deleted"]["url"])
    r = await alice.delete(f"/chats/{chat['id']}/messages/{gone['id']}")
    assert r.status_code == 204
    keys = await _keys(ctx)
    assert all(len(keys[up["id"]]) == 2 for up in ups.values())  # file and thumbnail

    # Within the grace period nothing goes, not even the deleted message's file.
    assert await attachments.sweep(ctx) == 0
    assert (await alice.get(ups["deleted"]["url"])).status_code == 200  # its uploader still can

    later = utcnow() + timedelta(seconds=ctx.settings.attachment_grace_seconds + 60)
    assert await attachments.sweep(ctx, now=later) == 4
    left = await _keys(ctx)
    assert set(left) == {ups["kept"]["id"]}
    for name in ("deleted", "never-sent"):
        assert (await alice.get(ups[name]["url"])).status_code == 404
        assert not any((ctx.storage.root / key).exists() for key in keys[ups[name]["id"]])
    assert all((ctx.storage.root / key).exists() for key in keys[ups["kept"]["id"]])
    r = await bob.get(f"/chats/{chat['id']}/messages")
    shown = [m for m in r.json() if m["attachment"]]
    assert [m["attachment"]["id"] for m in shown] == [ups["kept"]["id"]]
    assert (await bob.get(shown[0]["attachment"]["url"])).status_code == 200
    assert await attachments.sweep(ctx, now=later) == 0  # nothing twice
