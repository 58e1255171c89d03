"""What the actions of one running node work with: settings, database, limits and files."""

import asyncio
from collections.abc import Container
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from parley.attachments.links import Links
from parley.attachments.storage import DiskStorage, S3Storage, Storage
from parley.auth.security import Auth, Passwords
from parley.chats.service import Views
from parley.config import Settings
from parley.core.ratelimit import RateLimit, shared_storage
from parley.core.unit_of_work import Publish, UnitsOfWork
from parley.db.database import create_sessionmaker
from parley.previews.runner import Previews


@dataclass(frozen=True)
class Limits:
    login: RateLimit
    message: RateLimit
    upload: RateLimit
    # Per client address (see Settings): registrations, and sends/uploads over all accounts.
    registration: RateLimit
    message_address: RateLimit
    upload_address: RateLimit

    @classmethod
    def create(cls, settings: Settings) -> "Limits":
        storage = shared_storage(settings.redis_url)
        return cls(
            login=RateLimit(
                "login", settings.login_attempts, settings.login_window_seconds, storage
            ),
            message=RateLimit(
                "message", settings.messages_per_window, settings.message_window_seconds, storage
            ),
            upload=RateLimit(
                "upload", settings.uploads_per_window, settings.upload_window_seconds, storage
            ),
            registration=RateLimit(
                "register",
                settings.registrations_per_address,
                settings.registration_window_seconds,
                storage,
            ),
            # Never below the per-user limit: one person alone at an address (a raised
            # per-user limit, say) must be able to use their whole allowance.
            message_address=RateLimit(
                "message-address",
                max(settings.messages_per_address, settings.messages_per_window),
                settings.message_window_seconds,
                storage,
            ),
            upload_address=RateLimit(
                "upload-address",
                max(settings.uploads_per_address, settings.uploads_per_window),
                settings.upload_window_seconds,
                storage,
            ),
        )


@dataclass(frozen=True)
class Context:
    settings: Settings  # with its secret key set (see parley.app.startup)
    engine: AsyncEngine
    units: UnitsOfWork
    auth: Auth
    limits: Limits
    storage: Storage
    links: Links
    # Users online on any node; the realtime hub keeps it from presence events.
    online: Container[int]
    # Link previews: on or off, and the fetches running in the background.
    previews: Previews

    @property
    def views(self) -> Views:
        return Views(self.online, self.links)

    @classmethod
    def create(
        cls, settings: Settings, engine: AsyncEngine, publish: Publish, online: Container[int]
    ) -> "Context":
        write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        return cls(
            settings=settings,
            engine=engine,
            units=UnitsOfWork(create_sessionmaker(engine), publish, write_lock),
            auth=Auth(
                passwords=Passwords(settings.password_time_cost, settings.password_memory_kib),
                signing_key=settings.secret_key,
                access_token_minutes=settings.access_token_minutes,
                refresh_token_days=settings.refresh_token_days,
            ),
            limits=Limits.create(settings),
            storage=create_storage(settings),
            links=Links.from_secret(settings.secret_key, settings.attachment_link_seconds),
            online=online,
            previews=Previews.from_settings(settings),
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
