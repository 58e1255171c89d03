"""Notification settings: the rule that decides a push, and the settings held by the server."""

from datetime import UTC, datetime, timedelta

import pytest

from parley.notifications.rules import QuietHours, Recipient, should_notify
from tests.sockets import Socket, open_socket
from tests.support import Api, RunningServer

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday, no DST change near
SENDER, ME, FRIEND = 1, 2, 3


def decide(recipient: Recipient, *, at: datetime = NOW, sender: int = SENDER, **kw: bool) -> bool:
    return should_notify(
        recipient,
        sender,
        at,
        mentions_me=kw.get("mentions_me", False),
        replies_to_me=kw.get("replies_to_me", False),
    )


# --- the rule -------------------------------------------------------------------------


def test_never_about_my_own_message() -> None:
    assert decide(Recipient(ME), sender=ME) is False
    assert decide(Recipient(ME), sender=ME, mentions_me=True) is False


def test_all_notifies_and_none_never_does() -> None:
    assert decide(Recipient(ME)) is True
    silent = Recipient(ME, notify="none")
    assert decide(silent) is False
    assert decide(silent, mentions_me=True) is False
    assert decide(silent, replies_to_me=True) is False


def test_mentions_only_lets_mentions_and_replies_through() -> None:
    only = Recipient(ME, notify="mentions")
    assert decide(only) is False
    assert decide(only, mentions_me=True) is True
    assert decide(only, replies_to_me=True) is True


def test_a_mute_silences_until_it_ends_but_not_mentions() -> None:
    muted = Recipient(ME, muted_until=NOW + timedelta(hours=1))
    assert decide(muted) is False
    assert decide(muted, at=NOW + timedelta(minutes=59)) is False
    assert decide(muted, at=NOW + timedelta(hours=1)) is True  # it has ended
    assert decide(Recipient(ME, muted_until=NOW - timedelta(seconds=1))) is True
    # Decided: a mute is "not now"; a mention or a reply to me still reaches me.
    assert decide(muted, mentions_me=True) is True
    assert decide(muted, replies_to_me=True) is True
    forever = Recipient(ME, muted_until=datetime(9999, 12, 31, tzinfo=UTC))
    assert decide(forever) is False


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        ("21:59", False),
        ("22:00", True),
        ("23:59", True),
        ("00:00", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_across_midnight(clock: str, quiet: bool) -> None:
    hours = QuietHours(22 * 60, 7 * 60, "UTC")
    hour, minute = map(int, clock.split(":"))
    at = NOW.replace(hour=hour, minute=minute)
    assert decide(Recipient(ME, quiet=hours), at=at) is (not quiet)


def test_quiet_hours_within_one_day() -> None:
    hours = QuietHours(13 * 60, 14 * 60 + 30, "UTC")
    assert decide(Recipient(ME, quiet=hours), at=NOW.replace(hour=12, minute=59)) is True
    assert decide(Recipient(ME, quiet=hours), at=NOW.replace(hour=13)) is False
    assert decide(Recipient(ME, quiet=hours), at=NOW.replace(hour=14, minute=30)) is True


def test_quiet_hours_are_wall_clock_time_in_their_own_zone() -> None:
    # 22:00-07:00 in Tokyo (UTC+9) and in New York (UTC-4 in this week of March, DST).
    tokyo = Recipient(ME, quiet=QuietHours(22 * 60, 7 * 60, "Asia/Tokyo"))
    new_york = Recipient(ME, quiet=QuietHours(22 * 60, 7 * 60, "America/New_York"))
    at = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo, 10:30 in New York
    assert decide(tokyo, at=at) is False
    assert decide(new_york, at=at) is True
    at = datetime(2026, 3, 11, 3, 30, tzinfo=UTC)  # 12:30 in Tokyo, 23:30 in New York
    assert decide(tokyo, at=at) is True
    assert decide(new_york, at=at) is False
    # The zone's own clock, summer time included: 02:30 UTC is 22:30 in New York in
    # March (EDT) and 21:30 in January (EST).
    assert decide(new_york, at=datetime(2026, 3, 11, 2, 30, tzinfo=UTC)) is False
    assert decide(new_york, at=datetime(2026, 1, 14, 2, 30, tzinfo=UTC)) is True


def test_allowed_people_get_through_quiet_hours_and_only_they() -> None:
    night = QuietHours(22 * 60, 7 * 60, "UTC")
    me = Recipient(ME, quiet=night, allowed=frozenset({FRIEND}))
    at = NOW.replace(hour=23)
    assert decide(me, at=at, sender=FRIEND) is True
    assert decide(me, at=at, sender=SENDER) is False
    assert decide(me, at=at, sender=SENDER, mentions_me=True) is False  # sleep wins
    # Being allowed through quiet hours does not undo the chat's own settings.
    assert (
        decide(
            Recipient(ME, notify="none", quiet=night, allowed=frozenset({FRIEND})),
            at=at,
            sender=FRIEND,
        )
        is False
    )


# --- over the wire ----------------------------------------------------------------------


async def _settle(*sockets: Socket) -> None:
    for sock in sockets:
        await sock.send({"type": "ping"})
        await sock.next("pong")


async def test_chat_settings_are_mine_alone_and_reach_my_other_sockets(
    api: Api, server: RunningServer
) -> None:
    alice, bob, eve = [await api.user() for _ in range(3)]
    group = await alice.group("Settings", bob)
    assert group["notify"] == "all" and group["muted_until"] is None
    until = (datetime.now(UTC) + timedelta(hours=8)).replace(microsecond=0)
    async with (
        open_socket(server.ws_url, alice.token) as other_device,
        open_socket(server.ws_url, bob.token) as bobs,
    ):
        await _settle(other_device, bobs)
        r = await alice.patch(
            f"/chats/{group['id']}/settings",
            json={"notify": "mentions", "muted_until": until.isoformat()},
        )
        assert r.status_code == 200, r.text
        chat = r.json()
        assert chat["id"] == group["id"] and chat["notify"] == "mentions"
        assert datetime.fromisoformat(chat["muted_until"]) == until
        event = await other_device.next("chat.settings")
        assert event == {
            "type": "chat.settings",
            "chat_id": group["id"],
            "notify": "mentions",
            "muted_until": chat["muted_until"],
        }
        assert await bobs.quiet("chat.settings") == []  # only my own view changed
    # Every place a ChatOut comes from shows it; Bob's view is untouched.
    listed = {c["id"]: c for c in (await alice.get("/chats")).json()}
    assert listed[group["id"]]["notify"] == "mentions"
    assert (await alice.get(f"/chats/{group['id']}")).json()["muted_until"] == chat["muted_until"]
    assert (await bob.get(f"/chats/{group['id']}")).json()["notify"] == "all"
    # Only the fields sent change; null unmutes; a mute already over is no mute.
    r = await alice.patch(f"/chats/{group['id']}/settings", json={"muted_until": None})
    assert r.json()["notify"] == "mentions" and r.json()["muted_until"] is None
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = await alice.patch(f"/chats/{group['id']}/settings", json={"muted_until": past})
    assert r.status_code == 200 and r.json()["muted_until"] is None
    # Non-members get 404, bad values 422 with a detail.
    r = await eve.patch(f"/chats/{group['id']}/settings", json={"notify": "none"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    for body in (
        {"notify": "loud"},
        {"notify": None},
        {"muted_until": "tomorrow"},
        {"muted_until": "2030-01-01T08:00:00"},  # no time zone
        {"muted_until": "9999-12-31T23:00:00-05:00"},  # past year 9999 in UTC
    ):
        r = await alice.patch(f"/chats/{group['id']}/settings", json=body)
        assert r.status_code == 422 and r.json()["detail"], (body, r.text)


async def test_account_settings_in_auth_me_and_on_my_other_sockets(
    api: Api, server: RunningServer
) -> None:
    alice, bob = await api.user(), await api.user()
    me = (await alice.get("/auth/me")).json()
    assert me["notifications"] == {
        "quiet_hours": None,
        "allowed_user_ids": [],
        "push_previews": False,
    }
    async with open_socket(server.ws_url, alice.token) as other_device:
        await _settle(other_device)
        body = {
            "quiet_hours": {"start": "22:30", "end": "07:00", "time_zone": "Europe/Berlin"},
            "allowed_user_ids": [bob.id],
            "push_previews": True,
        }
        r = await alice.patch("/users/me/notifications", json=body)
        assert r.status_code == 200, r.text
        assert r.json() == body
        assert (await other_device.next("notifications.settings"))["settings"] == body
    assert (await alice.get("/auth/me")).json()["notifications"] == body
    assert (await alice.get("/users/me/notifications")).json() == body
    # Partial changes; null turns quiet hours off.
    r = await alice.patch("/users/me/notifications", json={"quiet_hours": None})
    assert r.json() == {**body, "quiet_hours": None}
    for bad in (
        {"quiet_hours": {"start": "25:00", "end": "07:00", "time_zone": "UTC"}},
        {"quiet_hours": {"start": "07:00", "end": "07:00", "time_zone": "UTC"}},
        {"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Mars/Olympus"}},
        {"allowed_user_ids": [0]},
        {"push_previews": None},
        {"push_previews": 0},  # a boolean, not something like one
    ):
        r = await alice.patch("/users/me/notifications", json=bad)
        assert r.status_code == 422 and r.json()["detail"], (bad, r.text)
    r = await alice.patch("/users/me/notifications", json={"allowed_user_ids": [10**12]})
    assert r.status_code == 404 and r.json()["detail"]
