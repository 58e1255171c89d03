"""The tables. Uniqueness and concurrency rules live here as constraints, not in code."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from parley.db.types import BigId, UTCDateTime, utcnow

# Stable constraint names make migrations reproducible across backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Binary collation: comparisons are exact; case-insensitivity comes from the *_key columns.
MYSQL_TABLE_ARGS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(32))
    # Lower-cased copies carry the case-insensitive unique indexes portably.
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    # NULL when the server lets accounts go without one (ServerSettings.email_required);
    # a unique index allows any number of NULLs on SQLite and MariaDB alike.
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64))
    # Lower-cased in Python, which folds all of Unicode (SQLite's lower() folds only ASCII).
    display_name_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The current avatar's random name (hex); a new upload gets a new one, so its URL
    # changes with it and every cached copy of the old picture is simply never asked for.
    avatar_key: Mapped[str | None] = mapped_column(String(64), default=None)
    # Notifications (parley.notifications): quiet hours as minutes after local midnight in
    # an IANA zone (all three set, or none), the people let through them, and whether a
    # push may carry the message's text.
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    quiet_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    # A short list of user ids, read with the user on every request: no join for /auth/me.
    quiet_allowed: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    push_previews: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Administration (parley.users.admin): the first account of a server is its admin; a
    # deactivated account cannot sign in, refresh or use its tokens, but its messages stay.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def avatar_url(self) -> str | None:
        """Read by the UserOut/UserPublic schemas (``from_attributes``)."""
        return avatar_url(self.id, self.avatar_key)

    @property
    def notifications(self) -> dict[str, Any]:
        """Read by UserOut (``notifications``): the wire shape of the settings above."""
        quiet = None
        if self.quiet_start is not None and self.quiet_end is not None and self.quiet_zone:
            quiet = {
                "start": _clock(self.quiet_start),
                "end": _clock(self.quiet_end),
                "time_zone": self.quiet_zone,
            }
        return {
            "quiet_hours": quiet,
            "allowed_user_ids": list(self.quiet_allowed or ()),
            "push_previews": bool(self.push_previews),
        }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def avatar_url(user_id: int, avatar_key: str | None) -> str | None:
    """Where an avatar is served: public, but only to whoever knows its unguessable key.

    An <img> cannot send a bearer header, and every signed-in user may see every avatar;
    a URL that names a random key is as private as a signed link and, never expiring,
    lets browsers cache the picture for good (see ``parley.http.avatars``).
    """
    return None if avatar_key is None else f"/users/{user_id}/avatar?v={avatar_key}"


class AuthSession(Base):
    """One sign-in: its refresh token rotates; revoking it ends the access tokens too."""

    __tablename__ = "auth_sessions"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # "My devices": what the client called itself at sign-in, and from where. NULL for
    # sessions older than these columns.
    device: Mapped[str | None] = mapped_column(String(100), default=None)
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    # Set at sign-in, refresh and socket connect, and by a request only when it is older
    # than a few minutes (auth.service.ACTIVITY_GRAIN), so requests rarely write.
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)


class RefreshToken(Base):
    """Every refresh token a session was given, hashed; spent ones stay to catch reuse."""

    __tablename__ = "refresh_tokens"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    spent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ServerSettings(Base):
    """The one row (id 1) of settings an admin changes at run time; made by migration 0009.

    Registrations lock it while they decide whether theirs is the server's first account,
    and admin changes lock it while they count the admins that remain.
    """

    __tablename__ = "server_settings"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    email_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Invite(Base):
    """A sign-up link an admin hands out. The token is kept plainly: the admin may copy
    the link again; it only lets someone create an account, never act as anyone."""

    __tablename__ = "invites"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    max_uses: Mapped[int | None] = mapped_column(Integer, default=None)  # None: unlimited
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class InviteUse(Base):
    """Who joined with which invite (one invite per account)."""

    __tablename__ = "invite_uses"
    __table_args__ = MYSQL_TABLE_ARGS

    invite_id: Mapped[int] = mapped_column(
        ForeignKey("invites.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResetToken(Base):
    """A one-time password-reset link an admin made; only its sha256 is kept."""

    __tablename__ = "reset_tokens"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str | None] = mapped_column(String(100), default=None)
    # "<low user id>:<high user id>" for direct chats, NULL for groups: one chat per pair.
    direct_key: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Denormalised so the chat list needs no per-chat query.
    last_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    members: Mapped[list["ChatUser"]] = relationship(
        back_populates="chat", lazy="raise", cascade="all, delete-orphan"
    )


class ChatUser(Base):
    __tablename__ = "chat_users"
    __table_args__ = MYSQL_TABLE_ARGS

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_message_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # This member's own notification settings for the chat: "all" | "mentions" | "none",
    # and a mute that ends by itself.
    notify: Mapped[str] = mapped_column(String(8), default="all", server_default="all")
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    chat: Mapped[Chat] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")


class Attachment(Base):
    """An uploaded file; its bytes live in the configured storage under ``storage_key``."""

    __tablename__ = "attachments"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(127))
    storage_key: Mapped[str] = mapped_column(String(255))
    thumbnail_key: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # Keyset paging of a chat's history, and unread counts.
        Index("ix_messages_chat_id_id", "chat_id", "id"),
        # A retried send with the same client_id can never store a second copy.
        UniqueConstraint("sender_id", "client_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL"), index=True, default=None
    )
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The message this one answers; same chat (checked on send). SET NULL: a reply outlives
    # its original's row (soft deletes keep the row, so the preview shows "deleted").
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True, default=None
    )
    # A hint, set by the first reaction and never cleared: pages of messages nobody reacted
    # to skip the reactions query altogether.
    reacted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Reaction(Base):
    """One person's emoji on one message; "first use" order is the smallest id."""

    __tablename__ = "message_reactions"
    __table_args__ = (
        # One of each emoji per person: the constraint settles racing PUTs.
        UniqueConstraint("message_id", "user_id", "emoji"),
        MYSQL_TABLE_ARGS,  # binary collation: distinct emoji never compare equal
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    emoji: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mention(Base):
    """A member a message mentions (@username, or everyone by @all), stored at send/edit."""

    __tablename__ = "message_mentions"
    __table_args__ = MYSQL_TABLE_ARGS

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LinkPreview(Base):
    """What a message's first link showed when the server fetched it (plain text only)."""

    __tablename__ = "link_previews"
    __table_args__ = MYSQL_TABLE_ARGS

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(200), default=None)
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    image_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    site_name: Mapped[str | None] = mapped_column(String(100), default=None)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushSubscription(Base):
    """A device's Web Push subscription (RFC 8030): where to post, and its keys (RFC 8291)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The sign-in that registered it: signing out removes it (a shared browser stops
    # receiving the previous person's messages).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="SET NULL"), index=True, default=None
    )
    endpoint: Mapped[str] = mapped_column(String(2048))
    # sha256 of the endpoint: an endpoint may be longer than MariaDB indexes.
    endpoint_key: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushDelivery(Base):
    """One push attempt to one device: what the push service answered (the last few kept)."""

    __tablename__ = "push_deliveries"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # None: a test
    status: Mapped[int | None] = mapped_column(Integer, default=None)  # the HTTP status
    error: Mapped[str | None] = mapped_column(String(255), default=None)  # no answer: why


class Export(Base):
    """One "take my data with me" archive: built in the background, kept for a day."""

    __tablename__ = "exports"
    __table_args__ = MYSQL_TABLE_ARGS

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "queued" | "running" | "done" | "failed"
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # The owner's id while the export is queued or running, NULL after: the unique index
    # lets each person have one export under way at a time, settled by the database even
    # when two requests race (NULLs never clash, on SQLite and MariaDB alike).
    active_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Touched while a node holds the export (queued or running on it): a row whose node
    # died stops being touched, and start-up or the sweep mark it failed.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    storage_key: Mapped[str | None] = mapped_column(String(255), default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    error: Mapped[str | None] = mapped_column(String(255), default=None)
