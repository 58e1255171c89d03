"""The first http(s) link of a message, found the way the client finds links.

Mirrors `desktop/src/renderer/lib/linkify.js`: a link starts at a word boundary with
http:// or https:// and runs to whitespace, `<`, `>` or a quote; trailing punctuation is
not part of it (a sentence's full stop, a closing bracket). mailto: links have no preview.
"""

import re

_LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE | re.ASCII)
_TRAILING = re.compile(r"[.,;:!?)\]}]+$")
MAX_URL = 2048  # longer links get no preview (and would not fit the column)


def first_link(content: str) -> str | None:
    """The first http(s) link in ``content``, or None."""
    # Sending is the hottest path there is: most messages have no link, and a substring
    # test answers that for them without running the expression.
    if "://" not in content:
        return None
    match = _LINK.search(content)
    if match is None:
        return None
    link = _TRAILING.sub("", match.group(0))
    if len(link) > MAX_URL or link.lower() in ("http://", "https://"):
        return None
    return link


def might_link(content: str) -> bool:
    """Cheap test for "could have a preview": pages skip the lookup for the others."""
    return "://" in content
