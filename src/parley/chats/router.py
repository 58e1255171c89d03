from fastapi import APIRouter, Response, status

from parley.chats import service
from parley.chats.schemas import CHAT, CHAT_LIST, ChatCreate, ChatOut, ChatUpdate, MemberAdd
from parley.dependencies import CurrentUser, SessionDep, StateDep
from parley.schemas import IdPath, error_responses, json_response

router = APIRouter(prefix="/chats", tags=["chats"], responses=error_responses(401))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=error_responses(404, repeat_of=ChatOut),
)
async def create_chat(
    data: ChatCreate, session: SessionDep, state: StateDep, me: CurrentUser
) -> ChatOut | Response:
    if data.is_group:
        assert data.title is not None  # the schema requires it for groups
        return await service.create_group(
            session, me, data.title, data.member_ids, state.views, state.settings.max_group_members
        )
    view, created = await service.create_direct(session, me, data.member_ids[0], state.views)
    if created:
        return view
    return json_response(CHAT, view, status.HTTP_200_OK)


@router.get("", response_model=list[ChatOut])
async def list_chats(session: SessionDep, state: StateDep, me: CurrentUser) -> Response:
    return json_response(CHAT_LIST, await service.list_chats(session, me.id, state.views))


@router.get("/{chat_id}", response_model=ChatOut, responses=error_responses(404))
async def get_chat(
    chat_id: IdPath, session: SessionDep, state: StateDep, me: CurrentUser
) -> ChatOut:
    return await service.get_chat(session, me.id, chat_id, state.views)


@router.patch("/{chat_id}", response_model=ChatOut, responses=error_responses(403, 404))
async def rename_chat(
    chat_id: IdPath, data: ChatUpdate, session: SessionDep, state: StateDep, me: CurrentUser
) -> ChatOut:
    return await service.rename(session, me, chat_id, data.title, state.views)


@router.post(
    "/{chat_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatOut,
    responses=error_responses(403, 404, 409),
)
async def add_member(
    chat_id: IdPath, data: MemberAdd, session: SessionDep, state: StateDep, me: CurrentUser
) -> ChatOut:
    return await service.add_member(
        session,
        me,
        chat_id,
        data.user_id,
        data.role,
        state.views,
        state.settings.max_group_members,
    )


@router.delete(
    "/{chat_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def remove_member(
    chat_id: IdPath, user_id: IdPath, session: SessionDep, me: CurrentUser
) -> Response:
    await service.remove_member(session, me, chat_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
