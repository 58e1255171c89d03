from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from parley.actions import messages as actions
from parley.core.fields import MAX_ID
from parley.http.dependencies import ClientAddress, ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, dicts_response, error_responses, json_response
from parley.messages import reactions, service
from parley.messages.schemas import (
    Emoji,
    MessageEdit,
    MessageIn,
    MessageOut,
    ReactionUsers,
    ReadIn,
)
from parley.messages.views import MESSAGE, MESSAGE_LIST_DICTS
from parley.users.schemas import UserPublic
from parley.users.service import public_user

router = APIRouter(prefix="/chats/{chat_id}", tags=["messages"], responses=error_responses(401))
Cursor = Annotated[int | None, Query(gt=0, le=MAX_ID)]
EmojiPath = Annotated[
    Emoji, Path(description="One emoji, URL-encoded (skin tones and ZWJ sequences allowed)")
]


@router.get("/messages", response_model=list[MessageOut], responses=error_responses(404))
async def history(
    chat_id: IdPath,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Cursor = None,
    after: Cursor = None,
    around: Annotated[
        int | None, Query(gt=0, le=MAX_ID, description="the page holding this message")
    ] = None,
) -> Response:
    page = await service.history(
        session, ctx.links, me.id, chat_id, limit=limit, before=before, after=after, around=around
    )
    return dicts_response(MESSAGE_LIST_DICTS, page)


@router.post(
    "/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=error_responses(404, 409, 429, repeat_of=MessageOut),
)
async def send(
    chat_id: IdPath,
    data: MessageIn,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
    address: ClientAddress,
) -> MessageOut | Response:
    sent = await actions.send(ctx, me, chat_id, data, address, within=session)
    if sent.created:
        return sent.message
    return json_response(MESSAGE, sent.message, status.HTTP_200_OK)


@router.patch(
    "/messages/{message_id}", response_model=MessageOut, responses=error_responses(403, 404)
)
async def edit(
    chat_id: IdPath,
    message_id: IdPath,
    data: MessageEdit,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
) -> MessageOut:
    return await actions.edit(session, ctx, me, chat_id, message_id, data.content)


@router.delete(
    "/messages/{message_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def delete(
    chat_id: IdPath, message_id: IdPath, session: SessionDep, me: CurrentUser
) -> Response:
    await actions.delete(session, me, chat_id, message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/read", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404))
async def mark_read(
    chat_id: IdPath, data: ReadIn, session: SessionDep, me: CurrentUser
) -> Response:
    await actions.mark_read(session, me, chat_id, data.message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/messages/{message_id}/readers",
    response_model=list[UserPublic],
    responses=error_responses(404),
)
async def readers(
    chat_id: IdPath, message_id: IdPath, session: SessionDep, ctx: ContextDep, me: CurrentUser
) -> list[UserPublic]:
    users = await service.readers(session, me.id, chat_id, message_id)
    return [public_user(user, ctx.online) for user in users]


@router.get(
    "/messages/{message_id}/reactions",
    response_model=list[ReactionUsers],
    responses=error_responses(404),
)
async def who_reacted(
    chat_id: IdPath, message_id: IdPath, session: SessionDep, me: CurrentUser
) -> list[ReactionUsers]:
    return await reactions.who_reacted(session, me.id, chat_id, message_id)


@router.put(
    "/messages/{message_id}/reactions/{emoji}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 429),
)
async def react(
    chat_id: IdPath,
    message_id: IdPath,
    emoji: EmojiPath,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
) -> Response:
    await actions.react(session, ctx, me, chat_id, message_id, emoji)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/messages/{message_id}/reactions/{emoji}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 429),
)
async def unreact(
    chat_id: IdPath,
    message_id: IdPath,
    emoji: EmojiPath,
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
) -> Response:
    await actions.unreact(session, ctx, me, chat_id, message_id, emoji)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
