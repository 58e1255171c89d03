"""What the actions of one running node work with: settings, database, limits and files."""

import asyncio
from collections.abc import Awaitable, Callable, Container
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
from parley.exports.runner import ExportRunner
from parley.notifications.process import PushProcess
from parley.notifications.webpush import Vapid
from parley.notifications.worker import PushWorker
from parley.previews.runner import Previews

OnlineAmong = Callable[[frozenset[int]], Awaitable[set[int]]]
NodesOnline = Callable[[], Awaitable[int]]


async def _one_node() -> int:
    return 1


def _known_online(online: Container[int]) -> OnlineAmong:
    async def among(user_ids: frozenset[int]) -> set[int]:
        return {user_id for user_id in user_ids if user_id in online}

    return among


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
    # Which of these users hold a live socket on any node (asked of the broker: with
    # Redis, of the cluster's presence), for pushes that only offline people get.
    online_among: OnlineAmong
    # Web Push: this server's VAPID identity (None: push is off), the worker that finds
    # who is offline, and the child process that pushes to them.
    vapid: Vapid | None
    push: PushWorker
    push_process: PushProcess
    # Account exports being built on this node (parley.exports.runner).
    exports: ExportRunner
    # How many nodes serve (asked of the broker), for the admin's server page.
    nodes_online: NodesOnline = _one_node

    @property
    def views(self) -> Views:
        return Views(self.online, self.links)

    @classmethod
    def create(
        cls,
        settings: Settings,
        engine: AsyncEngine,
        publish: Publish,
        online: Container[int],
        online_among: "OnlineAmong | None" = None,
        nodes_online: NodesOnline = _one_node,
    ) -> "Context":
        vapid = (
            Vapid.from_private(settings.vapid_private_key, settings.push_contact)
            if settings.vapid_private_key and settings.web_push
            else None
        )
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
            online_among=online_among or _known_online(online),
            vapid=vapid,
            push=PushWorker(
                enabled=vapid is not None,
                queue=settings.push_queue,
                concurrency=settings.push_concurrency,
            ),
            push_process=PushProcess(settings),
            exports=ExportRunner(
                concurrency=settings.export_concurrency,
                # Several beats within the time after which a row counts as abandoned.
                heartbeat_seconds=settings.export_stale_seconds / 4,
            ),
            nodes_online=nodes_online,
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
