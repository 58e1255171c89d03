"""What one running node holds: settings, database, broker, hub and rate limits."""

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parley.attachments.links import Links
from parley.attachments.storage import DiskStorage, S3Storage, Storage
from parley.config import Settings
from parley.db.database import create_engine, create_sessionmaker
from parley.ratelimit import RateLimit
from parley.realtime.broker import Broker, create_broker
from parley.realtime.hub import Hub
from parley.views import Views


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    hub: Hub
    broker: Broker
    login_limit: RateLimit
    message_limit: RateLimit
    upload_limit: RateLimit
    # Per client address (see Settings): registrations, and sends/uploads over all accounts.
    registration_limit: RateLimit
    message_address_limit: RateLimit
    upload_address_limit: RateLimit
    storage: Storage
    links: Links
    # Set on SQLite only: see parley.db.write_lock.
    write_lock: asyncio.Lock | None

    @property
    def views(self) -> Views:
        return Views(self.hub.online, self.links)

    @classmethod
    def create(cls, settings: Settings) -> "AppState":
        engine = create_engine(settings.effective_database_url, timeout=settings.database_timeout)
        hub = Hub()
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            hub=hub,
            broker=create_broker(settings.redis_url, hub),
            login_limit=RateLimit("login", settings.login_attempts, settings.login_window_seconds),
            message_limit=RateLimit(
                "message", settings.messages_per_window, settings.message_window_seconds
            ),
            upload_limit=RateLimit(
                "upload", settings.uploads_per_window, settings.upload_window_seconds
            ),
            registration_limit=RateLimit(
                "register", settings.registrations_per_address, settings.registration_window_seconds
            ),
            # Never below the per-user limit: one person alone at an address (a raised
            # per-user limit, say) must be able to use their whole allowance.
            message_address_limit=RateLimit(
                "message-address",
                max(settings.messages_per_address, settings.messages_per_window),
                settings.message_window_seconds,
            ),
            upload_address_limit=RateLimit(
                "upload-address",
                max(settings.uploads_per_address, settings.uploads_per_window),
                settings.upload_window_seconds,
            ),
            storage=create_storage(settings),
            links=Links.from_secret(settings.signing_key, settings.attachment_link_seconds),
            write_lock=asyncio.Lock() if engine.dialect.name == "sqlite" else None,
        )


def create_storage(settings: Settings) -> Storage:
    if settings.storage == "s3":
        return S3Storage.connect(
            settings.s3_bucket,
            settings.s3_endpoint_url,
            settings.s3_region,
            settings.s3_access_key,
            settings.s3_secret_key,
        )
    return DiskStorage(settings.data_dir / "attachments")
