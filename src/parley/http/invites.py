"""Invite links (admins only): make, list with who joined, revoke."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from parley.actions import admin
from parley.auth.schemas import InviteIn, InviteOut, Joined
from parley.db.models import Invite, User
from parley.http.dependencies import AdminUser, PublicBase, SessionDep
from parley.http.responses import error_responses

router = APIRouter(prefix="/invites", tags=["admin"], responses=error_responses(401, 403))


def _out(invite: Invite, joined: Sequence[User], base: str) -> InviteOut:
    return InviteOut(
        token=invite.token,
        url=f"{base}/?invite={invite.token}",
        max_uses=invite.max_uses,
        uses=invite.uses,
        expires_at=invite.expires_at,
        created_at=invite.created_at,
        revoked=invite.revoked_at is not None,
        joined=[Joined.model_validate(user) for user in joined],
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=InviteOut)
async def create(
    by: AdminUser, session: SessionDep, base: PublicBase, data: InviteIn | None = None
) -> InviteOut:
    data = data or InviteIn()
    invite = await admin.create_invite(session, by, data.max_uses, data.expires_in_hours)
    return _out(invite, [], base)


@router.get("", response_model=list[InviteOut])
async def every(_admin: AdminUser, session: SessionDep, base: PublicBase) -> list[InviteOut]:
    invites, joined = await admin.list_invites(session)
    return [_out(invite, joined.get(invite.id, []), base) for invite in invites]


@router.delete("/{token}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404))
async def revoke(
    token: Annotated[str, Path(max_length=128)], _admin: AdminUser, session: SessionDep
) -> Response:
    await admin.revoke_invite(session, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
