"""One catalogue of server → client events: the contract, the server and the client agree.

`tests/contract/API.md` is the team's wire contract (`../shared/API.md`), kept beside the
tests so a clone tests against it anywhere; `test_the_contract_copy_is_current` checks the
copy whenever the shared folder is there.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from parley.actions.events import CATALOGUE
from parley.core.errors import ERROR_CODES
from tests.sockets import Socket, open_socket
from tests.support import Api, RunningServer

ROOT = Path(__file__).parents[1]
CONTRACT = ROOT / "tests" / "contract" / "API.md"
SHARED = ROOT.parent / "shared" / "API.md"
CLIENT_EVENTS = ROOT / "desktop" / "src" / "renderer" / "lib" / "events.js"
CLIENT_ERRORS = ROOT / "desktop" / "src" / "renderer" / "lib" / "errors.js"
# Fields docs/API-EXTENSIONS.md adds to an event beyond the contract.
EXTENSIONS = {"presence": {"last_seen_at"}}
MESSAGE_EXTENSIONS = {"attachment", "preview"}
# Fields the contract's v1.1 additions give its objects (as prose, not as `X` = `{...}`).
MESSAGE_ADDITIONS = {"reply_to", "reactions", "mentions"}
CHAT_ADDITIONS = {"mention_count", "notify", "muted_until"}
# Parley's own events beyond the contract (docs/API-EXTENSIONS.md): to my own sockets only
# (tests/test_notification_settings.py, tests/test_export.py).
ADDED_EVENTS = {"notifications.settings", "export.progress"}


def _contract_events() -> dict[str, tuple[set[str], set[str]]]:
    """Each event type of the contract's "Server → client" block: (required, optional) keys."""
    text = CONTRACT.read_text("utf-8")
    block = text.split("Server → client", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    events: dict[str, tuple[set[str], set[str]]] = {}
    for line in block.strip().splitlines():
        head = re.match(r'\{"type":\s*([^,}]*)', line)
        assert head, line
        kinds = re.findall(r'"([a-z.]+)"', head.group(1))
        keys = re.findall(r'"([a-z_]+)"(\??):', line)
        keys.remove(("type", ""))
        required = {"type"} | {key for key, optional in keys if not optional}
        optional = {key for key, mark in keys if mark}
        for kind in kinds:
            events[kind] = (required, optional)
    return events


def _contract_additions() -> dict[str, tuple[set[str], set[str]]]:
    """The events the contract's v1.1 additions name, such as
    `{"type": "reaction.added" | "reaction.removed", "chat_id", ...}`: (required, no optional)."""
    text = CONTRACT.read_text("utf-8").split("Contract additions", 1)[1]
    events: dict[str, tuple[set[str], set[str]]] = {}
    for shape in re.findall(r'`(\{"type":[^`]*\})`', text):
        head, _, rest = shape.partition(",")
        keys = {"type"} | set(re.findall(r'"([a-z_]+)"', rest))
        for kind in re.findall(r'"([a-z.]+)"', head.split(":", 1)[1]):
            events[kind] = (keys, set())
    return events


def _contract_fields(name: str) -> set[str]:
    """The fields of a contract object such as `MessageOut` = `{"id", ...}`."""
    text = CONTRACT.read_text("utf-8")
    found = re.search(rf"`{name}` = `\{{([^`]*)\}}`", text)
    assert found, name
    top_level = re.sub(r"\[[^\]]*\]", "", found.group(1))  # drop nested objects' keys
    return set(re.findall(r'"([a-z_]+)"', top_level))


def _js_list(path: Path, name: str) -> set[str]:
    """The values of `export const NAME = Object.freeze({ KEY: 'value', ... });`."""
    source, start = path.read_text("utf-8"), f"export const {name} = Object.freeze({{"
    assert start in source, f"{path.name} has no `{start}`"
    body = source.split(start, 1)[1].split("});", 1)[0]
    return set(re.findall(r"^\s+[A-Z_]+: '([a-z_.]+)',", body, re.MULTILINE))


def test_the_contract_copy_is_current() -> None:
    if not SHARED.is_file():
        pytest.skip("the team's shared folder is not beside this clone")
    assert CONTRACT.read_text("utf-8") == SHARED.read_text("utf-8")


def test_the_server_catalogue_is_the_contracts() -> None:
    # Every v1 event; of the v1.1 additions, those built so far; Parley's own; nothing else.
    assert set(_contract_events()) <= set(CATALOGUE)
    assert set(CATALOGUE) <= set(_contract_events()) | set(_contract_additions()) | ADDED_EVENTS


def test_the_client_switches_on_the_catalogues_names() -> None:
    assert _js_list(CLIENT_EVENTS, "EVENTS") == set(CATALOGUE)


def test_the_client_has_words_for_every_error_code() -> None:
    assert _js_list(CLIENT_ERRORS, "ERROR_CODES") == set(ERROR_CODES)


def _check(frame: dict[str, Any], contract: dict[str, tuple[set[str], set[str]]]) -> None:
    required, optional = contract[frame["type"]]
    allowed = required | optional | EXTENSIONS.get(frame["type"], set())
    assert required <= set(frame) <= allowed, frame
    for key in ("chat_id", "user_id", "message_id"):
        if key in frame:
            assert isinstance(frame[key], int) and frame[key] > 0, frame
    if "message" in frame:
        expected = _contract_fields("MessageOut") | MESSAGE_EXTENSIONS | MESSAGE_ADDITIONS
        assert set(frame["message"]) == expected, frame
    if "chat" in frame:
        assert set(frame["chat"]) == _contract_fields("ChatOut") | CHAT_ADDITIONS, frame


async def _frames(sock: Socket, kinds: set[str]) -> dict[str, dict[str, Any]]:
    got: dict[str, dict[str, Any]] = {}
    while not kinds <= set(got):
        frame = await sock.next()
        got.setdefault(frame["type"], frame)
    return got


async def test_every_event_on_the_wire_has_the_contracts_fields(
    api: Api, server: RunningServer
) -> None:
    """Replays every event type over real sockets and compares it field by field."""
    contract = _contract_events() | {
        kind: shape for kind, shape in _contract_additions().items() if kind in CATALOGUE
    }
    alice, bob, carol = [await api.user() for _ in range(3)]
    async with open_socket(server.ws_url, alice.token) as a:
        await a.send({"type": "ping"})
        seen = await _frames(a, {"pong"})
        async with open_socket(server.ws_url, bob.token) as b:
            group = await bob.group("Catalogue", alice)
            await b.send({"type": "message.send", "chat_id": group["id"], "content": "hi"})
            await b.send({"type": "typing", "chat_id": group["id"]})
            await b.send({"type": "no.such"})
            sent = (await b.next("message.ack"))["message"]
            await b.next("error")
            await bob.patch(f"/chats/{group['id']}/messages/{sent['id']}", json={"content": "ho"})
            reaction = f"/chats/{group['id']}/messages/{sent['id']}/reactions/%F0%9F%91%8D"
            assert (await alice.put(reaction)).status_code == 204
            assert (await alice.delete(reaction)).status_code == 204
            await alice.post(f"/chats/{group['id']}/read", json={"message_id": sent["id"]})
            await bob.delete(f"/chats/{group['id']}/messages/{sent['id']}")
            await bob.patch(f"/chats/{group['id']}", json={"title": "Renamed"})
            await bob.post(f"/chats/{group['id']}/members", json={"user_id": carol.id})
            await bob.delete(f"/chats/{group['id']}/members/{carol.id}")
            settings = {"notify": "mentions"}
            assert (await alice.patch(f"/chats/{group['id']}/settings", json=settings)).is_success
            replies = {"pong", "error", "message.ack"}
            seen |= await _frames(a, set(contract) - replies - {"presence"})
            for frame in b.seen:
                seen.setdefault(frame["type"], frame)
        # Bob's last socket closed: Alice, who now shares a chat with him, hears it.
        while seen.get("presence", {}).get("online") is not False:
            seen["presence"] = await a.next("presence")
        assert seen["presence"]["user_id"] == bob.id
    assert set(seen) == set(contract) == set(CATALOGUE) - ADDED_EVENTS
    for frame in seen.values():
        _check(frame, contract)
    assert seen["error"]["code"] in ERROR_CODES
    assert json.loads(json.dumps(seen["presence"]))["last_seen_at"].endswith("+00:00")
