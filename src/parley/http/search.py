"""`GET /search/messages`: the messages of my chats that match what I typed."""

from typing import Annotated

from fastapi import APIRouter, Query

from parley.core.fields import MAX_ID
from parley.http.dependencies import ContextDep, CurrentUser, SessionDep
from parley.http.responses import error_responses
from parley.search import service
from parley.search.query import MAX_QUERY
from parley.search.schemas import SearchPage

router = APIRouter(prefix="/search", tags=["search"], responses=error_responses(401))


@router.get("/messages", response_model=SearchPage)
async def search_messages(
    session: SessionDep,
    ctx: ContextDep,
    me: CurrentUser,
    q: Annotated[str, Query(max_length=MAX_QUERY)],
    chat_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
) -> SearchPage:
    return await service.search(
        session, ctx.links, me.id, q, chat_id=chat_id, limit=limit, cursor=cursor
    )
