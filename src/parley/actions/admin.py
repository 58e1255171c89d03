"""What administrators do: accounts, invites, reset links and the server's settings."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from parley import __version__
from parley.actions.context import Context
from parley.actions.sessions import end_sessions
from parley.auth import invites, server, sessions
from parley.auth.schemas import Issued
from parley.db.models import Invite, User
from parley.users import admin
from parley.users import service as users
from parley.users.admin import AccountRow, Stats


async def accounts(session: AsyncSession, query: str) -> list[AccountRow]:
    return await admin.accounts(session, query)


async def set_admin(session: AsyncSession, user_id: int, is_admin: bool) -> None:
    await admin.set_admin(session, user_id, is_admin)


async def deactivate(session: AsyncSession, user_id: int) -> None:
    """The account stops working at once: tokens 401, sockets closed on every node."""
    ended = await admin.set_active(session, user_id, False)
    await end_sessions(session, user_id, ended, every_socket=True)


async def reactivate(session: AsyncSession, user_id: int) -> None:
    await admin.set_active(session, user_id, True)


async def reset_link(session: AsyncSession, user_id: int) -> Issued:
    await users.get(session, user_id)  # 404 for nobody
    return await sessions.issue_reset(session, user_id)


async def create_invite(
    session: AsyncSession, by: User, max_uses: int | None, expires_in_hours: int
) -> Invite:
    return await invites.create(session, by.id, max_uses, expires_in_hours)


async def list_invites(session: AsyncSession) -> tuple[Sequence[Invite], dict[int, list[User]]]:
    return await invites.every(session)


async def revoke_invite(session: AsyncSession, token: str) -> None:
    await invites.revoke(session, token)


async def server_info(session: AsyncSession, ctx: Context) -> tuple[Stats, dict[str, object]]:
    """The counts, and what the server runs with (mode, e-mail rule, nodes, version)."""
    stats = await admin.stats(session)
    settings = await server.settings(session)
    about: dict[str, object] = {
        "nodes_online": await ctx.nodes_online(),
        "registration": ctx.settings.registration,
        "email_required": settings.email_required,
        "version": __version__,
    }
    return stats, about


async def set_email_required(session: AsyncSession, required: bool) -> None:
    await server.set_email_required(session, required)
