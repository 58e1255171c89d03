"""The explicit start-up step: the settings a node runs with, its signing key settled."""

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from parley.app.preflight import StartupError
from parley.config import SECRET_FILE, VAPID_FILE, Settings
from parley.notifications.webpush import new_private_key

log = logging.getLogger("parley")


def prepare(settings: Settings) -> Settings:
    """``settings`` with its keys settled: the signing key, then the VAPID key."""
    return _with_vapid_key(_with_secret_key(settings))


def _with_vapid_key(settings: Settings) -> Settings:
    """The configured VAPID key, or one generated and kept in data_dir (one node only).

    Browsers bind a subscription to the public key they were given: every node must sign
    with the same key, and a key that changed would silently end every subscription. A
    generated file cannot be shared between nodes, so several nodes without a configured
    key run without Web Push (and say so) rather than fail or push with keys of their own.
    """
    if settings.vapid_private_key or not settings.web_push:
        return settings
    if settings.redis_url:
        log.warning(
            "Web Push is off: PARLEY_REDIS_URL is set (several nodes) but "
            "PARLEY_VAPID_PRIVATE_KEY is not; set the same key on every node "
            "(`parley` generates one in data_dir/%s on a single node)",
            VAPID_FILE,
        )
        return settings
    key = _kept(settings.data_dir / VAPID_FILE, new_private_key)
    return settings.model_copy(update={"vapid_private_key": key})


def _with_secret_key(settings: Settings) -> Settings:
    """``settings`` with ``secret_key`` set: the configured one, or one kept in data_dir.

    Generating it means no secret ever ships in the repository, and keeping it means
    tokens survive a restart. Several nodes (Redis configured) must share one key, which
    a generated file cannot give them, so they must be told it.
    """
    if settings.secret_key:
        return settings
    if settings.redis_url:
        raise StartupError(
            "PARLEY_REDIS_URL is set (several nodes) but PARLEY_SECRET_KEY is not: each node "
            "would sign with a key of its own and refuse the others' tokens; set the same "
            "PARLEY_SECRET_KEY on every node (e.g. `openssl rand -base64 48`)"
        )
    key = _kept(settings.data_dir / SECRET_FILE, lambda: secrets.token_urlsafe(64))
    return settings.model_copy(update={"secret_key": key})


def _kept(path: Path, generate: Callable[[], str]) -> str:
    """The key in ``path``, or a new one written there (readable by this user only)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate()
    # Create with 0600 so other local users cannot read it, even briefly.
    path.touch(mode=0o600)
    path.write_text(key)
    return key
