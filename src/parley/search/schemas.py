from pydantic import BaseModel

from parley.messages.schemas import MessageOut


class SearchResult(BaseModel):
    message: MessageOut
    chat_id: int
    # [start, end) offsets into message.content, in characters (Unicode code points).
    highlights: list[list[int]]


class SearchPage(BaseModel):
    results: list[SearchResult]
    next_cursor: str | None  # give it back as `cursor` for the next (older) page
