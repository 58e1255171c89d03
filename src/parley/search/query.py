"""What a person types into the search box, read into terms and filters.

Words must all match, each as the start of a word (`deplo` finds "deployment");
`"a phrase"` matches those words in a row; `from:username`, `in:<chat id>`,
`has:file|image|link`, `before:YYYY-MM-DD` and `after:YYYY-MM-DD` narrow the search.
Text is folded like the index (`parley.messages.search_index.fold`), so case, accents
and full-width forms do not matter. A query with no word to look for is refused: the
filters only narrow a search, they do not make one.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from parley.core.errors import InvalidInput
from parley.messages.search_index import UNSPACED, fold

MAX_QUERY = 500  # characters: enough for any search a person types
MAX_TERMS = 16
HAS = ("file", "image", "link")
_TOKEN = re.compile(r"[^\W_]+")
_OPERATOR = re.compile(r"^(from|in|has|before|after):(.*)$", re.IGNORECASE | re.DOTALL)
_WHERE = ("query", "q")


@dataclass(frozen=True, slots=True)
class Term:
    """Folded words that must appear in a row; the last may be the start of a word."""

    words: tuple[str, ...]
    prefix: bool

    @property
    def unspaced(self) -> bool:
        """Written without spaces (CJK): found anywhere, not only at a word's start."""
        return all(UNSPACED.fullmatch(word) for word in self.words)


@dataclass(slots=True)
class Query:
    terms: list[Term] = field(default_factory=list)
    sender: str | None = None  # username, lower case
    chat_id: int | None = None
    has: set[str] = field(default_factory=set)
    before: datetime | None = None
    after: datetime | None = None


def parse(q: str) -> Query:
    if len(q) > MAX_QUERY:
        raise InvalidInput(_WHERE, f"a search is at most {MAX_QUERY} characters")
    query = Query()
    for part, quoted in _parts(q):
        operator = None if quoted else _OPERATOR.match(part)
        if operator:
            _narrow(query, operator.group(1).lower(), operator.group(2))
            continue
        words = tuple(_TOKEN.findall(fold(part)))
        if words:
            # A quoted phrase is exact; a typed word is also found as the start of one.
            query.terms.append(Term(words, prefix=not quoted))
    if not query.terms:
        raise InvalidInput(
            _WHERE, "type a word to search for; from:, in:, has:, before: and after: only narrow it"
        )
    if len(query.terms) > MAX_TERMS:
        raise InvalidInput(_WHERE, f"a search has at most {MAX_TERMS} words or phrases")
    return query


def _parts(q: str) -> list[tuple[str, bool]]:
    """Split on spaces, keeping "quoted phrases" whole; an unclosed quote runs to the end."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(q.split('"')):
        if i % 2:
            parts.append((chunk, True))
        else:
            parts.extend((word, False) for word in chunk.split())
    return parts


def _narrow(query: Query, name: str, value: str) -> None:
    if name == "from":
        if not value:
            raise InvalidInput(_WHERE, "from: needs a username, like from:alice")
        query.sender = value.lstrip("@").lower()
    elif name == "in":
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise InvalidInput(_WHERE, "in: needs a chat id (a number), like in:12")
        query.chat_id = int(value)
    elif name == "has":
        if value.lower() not in HAS:
            raise InvalidInput(_WHERE, f"has: is one of {', '.join(HAS)}")
        query.has.add(value.lower())
    else:
        day = _day(name, value)
        if name == "before":
            query.before = day
        else:
            query.after = day


def _day(name: str, value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_WHERE, f"{name}: needs a date like {name}:2026-12-31") from None
    # Days are UTC days: before: is up to that day's start, after: from it on.
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
