from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import TypeAdapter

from parley.dependencies import ClientAddress, CurrentUser, SessionDep, StateDep
from parley.messages import service
from parley.messages.schemas import MessageEdit, MessageIn, MessageOut, ReadIn
from parley.schemas import MAX_ID, IdPath, error_responses, json_response

MESSAGE = TypeAdapter(MessageOut)
MESSAGE_LIST = TypeAdapter(list[MessageOut])
router = APIRouter(prefix="/chats/{chat_id}", tags=["messages"], responses=error_responses(401))
Cursor = Annotated[int | None, Query(gt=0, le=MAX_ID)]


@router.get("/messages", response_model=list[MessageOut], responses=error_responses(404))
async def history(
    chat_id: IdPath,
    session: SessionDep,
    state: StateDep,
    me: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Cursor = None,
    after: Cursor = None,
) -> Response:
    page = await service.history(
        session, state.links, me.id, chat_id, limit=limit, before=before, after=after
    )
    return json_response(MESSAGE_LIST, page)


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
    state: StateDep,
    me: CurrentUser,
    address: ClientAddress,
) -> MessageOut | Response:
    await state.message_limit.hit(f"user:{me.id}")
    await state.message_address_limit.hit(f"ip:{address}")
    message, created = await service.send(
        session, state.links, me, chat_id, data.content, data.attachment_url, data.client_id
    )
    if created:
        return message
    return json_response(MESSAGE, message, status.HTTP_200_OK)


@router.patch(
    "/messages/{message_id}", response_model=MessageOut, responses=error_responses(403, 404)
)
async def edit(
    chat_id: IdPath,
    message_id: IdPath,
    data: MessageEdit,
    session: SessionDep,
    state: StateDep,
    me: CurrentUser,
) -> MessageOut:
    return await service.edit(session, state.links, me, chat_id, message_id, data.content)


@router.delete(
    "/messages/{message_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def delete(
    chat_id: IdPath, message_id: IdPath, session: SessionDep, me: CurrentUser
) -> Response:
    await service.delete(session, me, chat_id, message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/read", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404))
async def mark_read(
    chat_id: IdPath, data: ReadIn, session: SessionDep, me: CurrentUser
) -> Response:
    await service.mark_read(session, me, chat_id, data.message_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
