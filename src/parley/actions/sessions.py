"""Ending sign-ins: tokens stop working, pushes stop, and sockets close on every node."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth import sessions
from parley.core import events
from parley.db.models import AuthSession
from parley.notifications import subscriptions


async def end_sessions(
    session: AsyncSession, user_id: int, ended: Sequence[int], every_socket: bool = False
) -> None:
    """After sessions were revoked in this unit: forget their push subscriptions and close
    their sockets (every socket of the user with ``every_socket``) once it commits."""
    for session_id in ended:
        await subscriptions.forget_session(session, session_id)
    if ended or every_socket:
        events.record(session, events.close_sessions(user_id, None if every_socket else ended))


async def mine(session: AsyncSession, user_id: int) -> Sequence[AuthSession]:
    return await sessions.live(session, user_id)


async def sign_out_one(session: AsyncSession, user_id: int, session_id: int) -> None:
    await sessions.revoke(session, user_id, session_id)
    await end_sessions(session, user_id, [session_id])


async def sign_out_others(session: AsyncSession, user_id: int, current: int) -> None:
    await end_sessions(session, user_id, await sessions.revoke_all(session, user_id, keep=current))
