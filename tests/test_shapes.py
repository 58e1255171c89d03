"""History pages and the chat list are written from plain dicts, never validated; the
bytes must be exactly those their models would write (parley.core.shapes)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, computed_field

from parley.chats.schemas import CHAT_LIST, CHAT_LIST_DICTS
from parley.core.shapes import dict_serializer
from parley.messages.views import MESSAGE_LIST, MESSAGE_LIST_DICTS, message_fields
from tests.support import Api
from tests.test_attachments import png_bytes, upload

NOW = datetime(2026, 12, 7, 3, 4, 5, 678901, tzinfo=UTC)


def _message(i: int) -> dict[str, Any]:
    fields = message_fields(
        id=i,
        chat_id=7,
        sender_id=2,
        content='tabs\t, newlines\n, quotes " \\ , control \x01, emoji 😀, accents ü',
        created_at=NOW,
        edited_at=NOW + timedelta(seconds=i) if i % 2 else None,
        is_read=bool(i % 3),
        client_id=f"c{i}" if i % 2 else None,
        attachment_id=5 if i % 3 == 0 else None,
        attachment={
            "id": 5,
            "name": "a.png",
            "size": 10,
            "content_type": "image/png",
            "is_image": True,
            "url": "/attachments/5?sig=x",
            "thumbnail_url": None,
        }
        if i % 3 == 0
        else None,
        preview={
            "url": "https://example.com/",
            "title": "Title",
            "description": None,
            "image_url": None,
            "site_name": "Example",
        }
        if i % 4 == 0
        else None,
    )
    if i % 2:
        fields["reply_to"] = {"id": 3, "sender_id": 4, "excerpt": "earlier", "deleted": i % 5 == 0}
        fields["reactions"] = [{"emoji": "👍", "count": 2, "me": True}]
        fields["mentions"] = [1, 2]
    return fields


def _chat(i: int) -> dict[str, Any]:
    user = {
        "id": 1,
        "username": "ana",
        "display_name": "Ana",
        "online": i % 2 == 0,
        "last_seen_at": NOW if i % 3 else None,
        "avatar_url": "/users/1/avatar?v=abc" if i % 2 else None,
    }
    return {
        "id": i,
        "is_group": bool(i % 2),
        "title": "Family" if i % 2 else None,
        "created_at": NOW,
        "members": [{"user": user, "role": "owner"}, {"user": user, "role": "member"}],
        "last_message": _message(i) if i % 5 else None,
        "unread_count": i,
        "mention_count": i % 3,
        "notify": ("all", "mentions", "none")[i % 3],
        "muted_until": NOW if i % 4 == 0 else None,
    }


def test_dicts_are_written_as_their_models_would_write_them() -> None:
    messages = [_message(i) for i in range(12)]
    chats = [_chat(i) for i in range(12)]
    assert MESSAGE_LIST_DICTS.to_json(messages) == MESSAGE_LIST.dump_json(
        MESSAGE_LIST.validate_python(messages)
    )
    assert CHAT_LIST_DICTS.to_json(chats) == CHAT_LIST.dump_json(CHAT_LIST.validate_python(chats))


def test_a_model_with_computed_fields_is_refused() -> None:
    class Shown(BaseModel):
        a: int

        @computed_field  # type: ignore[prop-decorator]
        @property
        def b(self) -> int:
            return self.a + 1

    with pytest.raises(TypeError, match="cannot be written from a dict"):
        dict_serializer(TypeAdapter(list[Shown]))


async def test_history_and_the_chat_list_are_what_their_models_write(api: Api) -> None:
    """Over the API, with everything a message and a chat can carry: each answer's bytes
    are the bytes its models write for the same values."""
    alice, bob = await api.user(), await api.user()
    group = await alice.group("Everything", bob)
    path = f"/chats/{group['id']}/messages"
    picture = (await upload(alice, "p.png", png_bytes((64, 64)), "image/png")).json()
    first = await alice.say(group["id"], "hello @" + bob.username, attachment_url=picture["url"])
    reply = await bob.say(group["id"], "a reply\twith a tab", reply_to_id=first["id"])
    assert (await alice.put(f"{path}/{reply['id']}/reactions/👍")).status_code == 204
    assert (await bob.put(f"{path}/{reply['id']}/reactions/👍")).status_code == 204
    edited = await alice.say(group["id"], "to be edited")
    assert (await alice.patch(f"{path}/{edited['id']}", json={"content": "edited 😀"})).is_success
    await alice.direct_chat(bob)
    mute = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (
        await bob.patch(f"/chats/{group['id']}/settings", json={"muted_until": mute})
    ).is_success

    for user in (alice, bob):
        page = await user.get(path, params={"limit": 50})
        assert page.status_code == 200
        assert len(page.json()) == 3
        assert page.content == MESSAGE_LIST.dump_json(MESSAGE_LIST.validate_json(page.content))
        listed = await user.get("/chats")
        assert listed.status_code == 200
        assert len(listed.json()) == 2
        assert listed.content == CHAT_LIST.dump_json(CHAT_LIST.validate_json(listed.content))
    (for_bob,) = [c for c in (await bob.get("/chats")).json() if c["id"] == group["id"]]
    assert for_bob["muted_until"] is not None
    shown = {m["id"]: m for m in (await bob.get(path)).json()}
    assert shown[first["id"]]["attachment"]["is_image"] and shown[first["id"]]["mentions"]
    assert shown[reply["id"]]["reply_to"]["id"] == first["id"]
    assert shown[reply["id"]]["reactions"] == [{"emoji": "👍", "count": 2, "me": True}]
    assert shown[edited["id"]]["edited_at"] is not None
