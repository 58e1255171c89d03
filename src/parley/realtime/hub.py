"""This node's sockets, and who is online anywhere."""

from collections.abc import Awaitable, Callable

from parley.db.models import User
from parley.realtime.events import Event
from parley.users.schemas import UserPublic

Deliver = Callable[[Event], Awaitable[None]]


class Hub:
    def __init__(self) -> None:
        self.online: set[int] = set()

    def public_user(self, user: User) -> UserPublic:
        view = UserPublic.model_validate(user)
        view.online = user.id in self.online
        return view

    async def dispatch(self, event: Event) -> None:
        """Called by the broker for every event, on every node."""
