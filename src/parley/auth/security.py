"""Password hashing (argon2id, off the event loop) and token encoding (PyJWT, HS256)."""

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from parley.db.types import utcnow

ALGORITHM = "HS256"


class Passwords:
    """argon2id hashing; the work runs in a thread so the event loop never waits on it."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        # Verified against when the user does not exist, so timing does not reveal who does.
        self._dummy_hash = self._hasher.hash("parley-timing-equaliser")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                ok = self._hasher.verify(password_hash or self._dummy_hash, password)
            except (VerificationError, InvalidHashError):
                return False
            return ok and password_hash is not None

        return await asyncio.to_thread(check)


@dataclass(frozen=True)
class Auth:
    """What signing people in needs: the hasher, the signing key and token lifetimes."""

    passwords: Passwords
    signing_key: str
    access_token_minutes: int
    refresh_token_days: int


def create_access_token(user_id: int, session_id: int, key: str, minutes: int) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


# Access tokens already verified, with their expiry: a client presents the same token on
# every request for its lifetime, and checking its signature again cost a tenth of a
# history page's CPU. Only tokens we signed get in (so the size of an entry is ours to
# bound); expiry is still checked on every use. Keyed by the signing key as well: a
# process may serve more than one app (the tests do).
_VERIFIED: dict[tuple[str, str], tuple[int, int, float]] = {}
VERIFIED_CACHE = 4096


def decode_access_token(token: str, key: str) -> tuple[int, int] | None:
    """Return (user_id, session_id) for a valid, unexpired access token, else None."""
    cached = _VERIFIED.get((key, token))
    if cached is None:
        cached = _verify(token, key)
        if cached is None:
            return None
        if len(_VERIFIED) >= VERIFIED_CACHE:
            del _VERIFIED[next(iter(_VERIFIED))]  # the oldest entry
        _VERIFIED[(key, token)] = cached
    user_id, session_id, expires = cached
    if time.time() >= expires:  # as PyJWT decides it: expired from its `exp` second on
        return None
    return user_id, session_id


def _verify(token: str, key: str) -> tuple[int, int, float] | None:
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]}
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    try:
        return int(claims["sub"]), int(claims["sid"]), float(claims["exp"])
    except (TypeError, ValueError):
        return None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Refresh tokens are high-entropy, so a fast hash is enough to keep them useless if leaked.
    return hashlib.sha256(token.encode()).hexdigest()
