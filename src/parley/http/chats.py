from fastapi import APIRouter, Response, status

from parley.actions import chats as actions
from parley.actions import notifications
from parley.chats import service
from parley.chats.schemas import (
    CHAT,
    CHAT_LIST_DICTS,
    ChatCreate,
    ChatOut,
    ChatUpdate,
    MemberAdd,
    MemberUpdate,
)
from parley.http.dependencies import ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, dicts_response, error_responses, json_response
from parley.notifications.schemas import ChatSettingsIn

router = APIRouter(prefix="/chats", tags=["chats"], responses=error_responses(401))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=error_responses(404, repeat_of=ChatOut),
)
async def create_chat(
    data: ChatCreate, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ChatOut | Response:
    chat, created = await actions.create(session, ctx, me, data)
    if created:
        return chat
    return json_response(CHAT, chat, status.HTTP_200_OK)


@router.get("", response_model=list[ChatOut])
async def list_chats(session: SessionDep, ctx: ContextDep, me: CurrentUser) -> Response:
    return dicts_response(CHAT_LIST_DICTS, await service.list_chats(session, me.id, ctx.views))


@router.get("/{chat_id}", response_model=ChatOut, responses=error_responses(404))
async def get_chat(
    chat_id: IdPath, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ChatOut:
    return await service.get_chat(session, me.id, chat_id, ctx.views)


@router.patch("/{chat_id}", response_model=ChatOut, responses=error_responses(403, 404))
async def rename_chat(
    chat_id: IdPath, data: ChatUpdate, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ChatOut:
    return await actions.rename(session, ctx, me, chat_id, data.title)


@router.patch("/{chat_id}/settings", response_model=ChatOut, responses=error_responses(404))
async def chat_settings(
    chat_id: IdPath, data: ChatSettingsIn, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ChatOut:
    """My own notify level and mute for the chat; my other sockets get `chat.settings`."""
    return await notifications.set_chat_settings(session, ctx, me, chat_id, data)


@router.post(
    "/{chat_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=error_responses(403, 404, 409),
)
async def add_member(
    chat_id: IdPath, data: MemberAdd, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> ChatOut:
    return await actions.add_member(session, ctx, me, chat_id, data.user_id, data.role)


@router.patch(
    "/{chat_id}/members/{user_id}",
    response_model=ChatOut,
    responses=error_responses(403, 404),
)
async def set_member_role(
    chat_id: IdPath,
    user_id: IdPath,
    data: MemberUpdate,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
) -> ChatOut:
    return await actions.set_role(session, ctx, me, chat_id, user_id, data.role)


@router.delete(
    "/{chat_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def remove_member(
    chat_id: IdPath, user_id: IdPath, session: SessionDep, me: CurrentUser
) -> Response:
    await actions.remove_member(session, me, chat_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
