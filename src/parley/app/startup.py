"""The explicit start-up step: the settings a node runs with, its signing key settled."""

import secrets
from pathlib import Path

from parley.app.preflight import StartupError
from parley.config import SECRET_FILE, Settings


def prepare(settings: Settings) -> Settings:
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
    return settings.model_copy(update={"secret_key": _kept_secret(settings.data_dir)})


def _kept_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Create with 0600 so other local users cannot read it, even briefly.
    path.touch(mode=0o600)
    path.write_text(key)
    return key
