"""The one decision: should this person be notified (pushed) about this message?

Pure: plain values in, a bool out, no database and no clock of its own, so every case can
be tested by itself and every device and the push worker decide alike.

The rules, in order:

1. Never about one's own message.
2. ``notify == "none"``: never, mentions included (the member chose silence for good).
3. ``notify == "mentions"``: only a mention of me or a reply to me.
4. ``muted_until`` in the future: only a mention of me or a reply to me gets through.
   A mute is "not now", not "never": like the tray total, which still counts mentions in
   muted chats, a mention still reaches the person (decision recorded in
   docs/API-EXTENSIONS.md).
5. Quiet hours (local wall-clock time in the person's IANA zone, possibly across
   midnight): nothing, unless the sender is one of the people allowed through. Mentions do
   not break quiet hours: they exist to let someone sleep.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Notify = Literal["all", "mentions", "none"]
NOTIFY_VALUES: tuple[Notify, ...] = ("all", "mentions", "none")


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end`` (minutes after local midnight) in ``zone``; may wrap."""

    start: int
    end: int
    zone: str

    def covers(self, now: datetime) -> bool:
        """Whether the aware instant ``now`` falls in the quiet hours, in their zone."""
        local = now.astimezone(ZoneInfo(self.zone))
        minute = local.hour * 60 + local.minute
        if self.start == self.end:
            return False  # an empty window (refused on input; harmless here)
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end  # across midnight


@dataclass(frozen=True)
class Recipient:
    """What one member's settings say, for one chat."""

    user_id: int
    notify: Notify = "all"
    muted_until: datetime | None = None
    quiet: QuietHours | None = None
    allowed: frozenset[int] = field(default_factory=frozenset)


def should_notify(
    recipient: Recipient,
    sender_id: int,
    now: datetime,
    *,
    mentions_me: bool,
    replies_to_me: bool,
) -> bool:
    """Whether ``recipient`` is to be notified of a message ``sender_id`` sent at ``now``."""
    if sender_id == recipient.user_id:
        return False
    if recipient.notify == "none":
        return False
    addressed = mentions_me or replies_to_me
    if recipient.notify == "mentions" and not addressed:
        return False
    muted = recipient.muted_until is not None and recipient.muted_until > now
    if muted and not addressed:
        return False
    if recipient.quiet is not None and recipient.quiet.covers(now):
        return sender_id in recipient.allowed
    return True
