"""Settings, read from the environment (prefix ``PARLEY_``) and an optional ``.env`` file.

Plain data: reading a setting builds nothing and writes nothing. What start-up derives
from them (the generated secret key) is `parley.app.startup.prepare`'s job.
"""

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_FILE = "secret_key"  # under data_dir, when PARLEY_SECRET_KEY is not set
VAPID_FILE = "vapid_private_key"  # under data_dir, when PARLEY_VAPID_PRIVATE_KEY is not set


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    # Empty means SQLite under data_dir, so one command runs Parley with nothing configured.
    database_url: str = ""
    redis_url: str = ""
    # MySQL/MariaDB: seconds to wait on the server (connect, each statement, a free pooled
    # connection) before a request gets 503; see parley.db.database.create_engine.
    database_timeout: float = Field(5.0, gt=0, le=300)
    # Required in production (at least 32 characters): every node must sign alike.
    secret_key: str = Field("", validate_default=True)
    access_token_minutes: int = Field(15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(30, ge=1, le=365)
    # argon2id cost; the defaults are RFC 9106's second recommended option.
    password_time_cost: int = Field(3, ge=1)
    password_memory_kib: int = Field(64 * 1024, ge=8 * 1024)
    # Login attempts allowed per client address and per account name, per window.
    login_attempts: int = Field(10, ge=1)
    login_window_seconds: int = Field(60, ge=1)
    # Messages one user may send per window (REST and socket alike).
    messages_per_window: int = Field(60, ge=1)
    message_window_seconds: int = Field(10, ge=1)
    # Per client address: several people may share one (a home or office NAT), so these sit
    # above the per-user limits (and never count below them); they stop one source from
    # spreading abuse over many accounts.
    messages_per_address: int = Field(300, ge=1)  # per message_window_seconds
    registrations_per_address: int = Field(20, ge=1)
    registration_window_seconds: int = Field(3600, ge=1)
    # Sockets one user may hold open on one node (each app window or tab holds one).
    max_sockets_per_user: int = Field(20, ge=1)
    # Events a socket may have waiting; a client that falls further behind is dropped
    # and catches up with `since` when it reconnects.
    ws_send_queue: int = Field(512, ge=8)
    # Protocol-level pings: a peer that does not answer within the timeout is dropped.
    ws_ping_interval: float = Field(20.0, gt=0)
    ws_ping_timeout: float = Field(20.0, gt=0)
    # Who may create an account over the API: anyone ("open"), holders of an admin's
    # invite link ("invite"; the server's very first account needs none and becomes its
    # admin), or nobody ("closed": accounts come from `parley admin create`).
    registration: Literal["open", "invite", "closed"] = "open"
    # The address people reach this server at (https://chat.example.org), for the invite
    # and password-reset links admins hand out; empty: the address the admin's request came to.
    public_url: str = ""
    max_group_members: int = Field(1000, ge=2)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Attachments: size limit, where the bytes go, and how long a signed link works.
    max_upload_mb: int = Field(25, ge=1, le=10_240)
    uploads_per_window: int = Field(30, ge=1)
    uploads_per_address: int = Field(120, ge=1)  # per upload_window_seconds
    upload_window_seconds: int = Field(60, ge=1)
    storage: Literal["disk", "s3"] = "disk"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    attachment_link_seconds: int = Field(3600, ge=60)
    # Files no live message shows (deleted with their message, or uploaded and never sent)
    # are removed this long after, checked every sweep interval.
    attachment_grace_seconds: int = Field(24 * 3600, ge=60)
    attachment_sweep_seconds: float = Field(3600.0, gt=0)
    # Account exports (parley.exports): the archive's link works this long after it is
    # built, then the sweep (every export_sweep_seconds) deletes the file. At most
    # export_concurrency exports are built at once per node; one whose node stopped
    # touching it for export_stale_seconds (the node died) is marked failed.
    export_link_seconds: int = Field(24 * 3600, ge=60)
    export_sweep_seconds: float = Field(300.0, gt=0)
    export_concurrency: int = Field(1, ge=1, le=8)
    export_stale_seconds: float = Field(600.0, ge=5)
    # Link previews: the server fetches the first http(s) link of each message (public
    # addresses only; see parley.previews.fetch). False: no preview is ever fetched.
    link_previews: bool = True
    preview_timeout_seconds: float = Field(5.0, gt=0, le=30)
    # TESTS ONLY: lets previews fetch loopback addresses on any port, so tests can serve
    # pages on 127.0.0.1. Never set it on a real server (production refuses to start).
    preview_unsafe_allow_loopback_for_tests: bool = False
    # Web Push (parley.notifications): False turns it off (no key, no pushes, no queries).
    web_push: bool = True
    # The VAPID private key (RFC 8292), a P-256 scalar in
    # URL-safe base64. Empty: generated on first run and kept in data_dir, like the secret
    # key; several nodes (Redis) must be given the same one, or push stays off.
    vapid_private_key: str = ""
    # Who the push services may contact about this server's pushes (VAPID "sub").
    push_contact: str = "mailto:admin@localhost"
    push_timeout_seconds: float = Field(10.0, gt=0, le=60)
    push_attempts: int = Field(4, ge=1, le=10)  # per device and message, with backoff
    push_backoff_seconds: float = Field(1.0, gt=0, le=60)  # the first wait; then doubling
    push_queue: int = Field(10_000, ge=1)  # messages waiting; beyond it, pushes are dropped
    push_concurrency: int = Field(8, ge=1, le=256)  # messages being pushed at once
    # TESTS ONLY: subscriptions may name http://127.0.0.1 (a local test push service).
    push_unsafe_allow_http_loopback_for_tests: bool = False
    web_dir: Path = Path("desktop/dist/web")
    cors_origins: list[str] = ["app://parley", "http://localhost:5173"]
    log_level: str = "info"
    # "json": one JSON object per line (for log collectors); "text": for people.
    log_format: Literal["text", "json"] = "text"
    # How long `parley serve`/`migrate` wait for the database and Redis at start-up.
    startup_timeout: float = Field(30.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        if not url:
            return url
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ValueError(f"not a database URL: {url!r}") from None
        if backend not in ("sqlite", "mysql"):
            raise ValueError(
                "use sqlite+aiosqlite:///path or mysql+asyncmy://user:password@host/db"
            )
        return url

    @field_validator("secret_key")
    @classmethod
    def _secret_in_production(cls, key: str, info: ValidationInfo) -> str:
        # A generated key is per machine: nodes behind one proxy would reject each
        # other's tokens, and a lost data dir would sign everyone out.
        if info.data.get("env") == "production" and len(key) < 32:
            raise ValueError(
                "PARLEY_ENV=production needs PARLEY_SECRET_KEY of at least 32 characters "
                "(e.g. `openssl rand -base64 48`)"
            )
        return key

    @field_validator("preview_unsafe_allow_loopback_for_tests")
    @classmethod
    def _no_loopback_previews_in_production(cls, allowed: bool, info: ValidationInfo) -> bool:
        # It would let anyone who can send a message make the server fetch its own ports.
        if allowed and info.data.get("env") == "production":
            raise ValueError(
                "PARLEY_PREVIEW_UNSAFE_ALLOW_LOOPBACK_FOR_TESTS is for tests only; "
                "remove it (PARLEY_ENV=production)"
            )
        return allowed

    @field_validator("push_unsafe_allow_http_loopback_for_tests")
    @classmethod
    def _no_loopback_push_in_production(cls, allowed: bool, info: ValidationInfo) -> bool:
        if allowed and info.data.get("env") == "production":
            raise ValueError(
                "PARLEY_PUSH_UNSAFE_ALLOW_HTTP_LOOPBACK_FOR_TESTS is for tests only; "
                "remove it (PARLEY_ENV=production)"
            )
        return allowed

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'parley.db').as_posix()}"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
