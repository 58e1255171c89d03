"""This node's sockets, and who is online anywhere."""

import json
import logging
from collections import defaultdict

from parley.core.events import CLOSE_SESSIONS, Event
from parley.observability import metrics
from parley.realtime.connection import (
    CLOSE_NOT_MEMBER,
    CLOSE_RESTART,
    CLOSE_UNAUTHORIZED,
    Connection,
)

log = logging.getLogger("parley.realtime")


class Hub:
    def __init__(self) -> None:
        self._by_user: dict[int, set[Connection]] = defaultdict(set)
        # Users online on any node, kept from presence events.
        self.online: set[int] = set()

    @property
    def connection_count(self) -> int:
        return sum(len(conns) for conns in self._by_user.values())

    def connections(self, user_id: int) -> tuple[Connection, ...]:
        return tuple(self._by_user.get(user_id, ()))

    def count(self, user_id: int) -> int:
        """How many sockets the user holds on this node."""
        return len(self._by_user.get(user_id, ()))

    def add(self, conn: Connection) -> bool:
        """Register a socket; True when it is the user's first on this node."""
        conns = self._by_user[conn.user_id]
        conns.add(conn)
        metrics.socket_opened()
        return len(conns) == 1

    def remove(self, conn: Connection) -> bool:
        """Forget a socket; True when it was the user's last on this node."""
        conns = self._by_user.get(conn.user_id)
        if conns is None or conn not in conns:
            return False
        conns.discard(conn)
        metrics.socket_closed()
        if conns:
            return False
        del self._by_user[conn.user_id]
        return True

    def local_users(self) -> set[int]:
        return set(self._by_user)

    async def dispatch(self, event: Event) -> None:
        """Hand an event to the local sockets of its recipients (called on every node)."""
        if event.type == CLOSE_SESSIONS:
            self._close_sessions(event)
            return
        if event.type == "presence":
            about = json.loads(event.frame)
            (self.online.add if about["online"] else self.online.discard)(about["user_id"])
        frames = 0
        for user_id in event.recipients:
            for conn in tuple(self._by_user.get(user_id, ())):
                if conn.wants(event.chat_id):
                    conn.offer(event.frame, event.message_id)
                    frames += 1
        metrics.delivered(event, frames)
        if event.type == "member.removed":
            # A per-chat socket of someone no longer in the chat has nothing left to show.
            removed = json.loads(event.frame)["user_id"]
            for conn in tuple(self._by_user.get(removed, ())):
                if conn.chat_id == event.chat_id:
                    conn.close(CLOSE_NOT_MEMBER)

    def _close_sessions(self, event: Event) -> None:
        """Signed out elsewhere (a revoked session, a deactivated account): 4401 at once."""
        sessions = json.loads(event.frame)["sessions"]
        wanted = None if sessions is None else set(sessions)
        for user_id in event.recipients:
            for conn in tuple(self._by_user.get(user_id, ())):
                if wanted is None or conn.session_id in wanted:
                    conn.close(CLOSE_UNAUTHORIZED)

    def close_all(self, code: int = CLOSE_RESTART) -> None:
        for conns in self._by_user.values():
            for conn in conns:
                conn.close(code)
