"""What rendering a response needs beyond the database: who is online, and link signing."""

from collections.abc import Container
from dataclasses import dataclass

from parley.attachments.links import Links


@dataclass(frozen=True)
class Views:
    online: Container[int]
    links: Links
