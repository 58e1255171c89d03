"""What one running node holds: settings, database, broker, hub and rate limits."""

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parley.config import Settings
from parley.db.database import create_engine, create_sessionmaker
from parley.ratelimit import RateLimit
from parley.realtime.broker import Broker, create_broker
from parley.realtime.hub import Hub


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    hub: Hub
    broker: Broker
    login_limit: RateLimit
    message_limit: RateLimit
    # Set on SQLite only: see parley.db.write_lock.
    write_lock: asyncio.Lock | None

    @classmethod
    def create(cls, settings: Settings) -> "AppState":
        engine = create_engine(settings.effective_database_url)
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
            write_lock=asyncio.Lock() if engine.dialect.name == "sqlite" else None,
        )
