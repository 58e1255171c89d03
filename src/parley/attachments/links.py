"""Short-lived signed URLs, so <img> and <a> tags can fetch files without a bearer header."""

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Literal

# "export": an account export's archive (parley.exports), signed with the same key.
Variant = Literal["file", "thumbnail", "export"]
ROUNDING = 300  # expiry rounded up to 5 minutes: repeated views reuse one URL (and cache)


@dataclass(frozen=True)
class Links:
    key: bytes
    seconds: int

    @classmethod
    def from_secret(cls, secret: str, seconds: int) -> "Links":
        # A key of its own, so a URL signature can never double as anything else.
        return cls(hmac.digest(secret.encode(), b"parley attachment links", "sha256"), seconds)

    def _signature(self, attachment_id: int, variant: Variant, expires: int) -> str:
        message = f"{attachment_id}:{variant}:{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def sign(self, attachment_id: int, variant: Variant = "file") -> str:
        expires = -(-(int(time.time()) + self.seconds) // ROUNDING) * ROUNDING
        path = f"/attachments/{attachment_id}" + ("/thumbnail" if variant == "thumbnail" else "")
        return f"{path}?exp={expires}&sig={self._signature(attachment_id, variant, expires)}"

    def sign_until(self, path: str, resource_id: int, variant: Variant, expires: int) -> str:
        """``path`` signed for ``resource_id`` until ``expires`` (a Unix time) exactly."""
        return f"{path}?exp={expires}&sig={self._signature(resource_id, variant, expires)}"

    def verify(self, attachment_id: int, variant: Variant, expires: int, signature: str) -> bool:
        if expires < time.time():
            return False
        expected = self._signature(attachment_id, variant, expires)
        # Compared as bytes: compare_digest refuses str with non-ASCII characters, and a
        # forged link may carry anything. Non-ASCII can never match hex, so it fails.
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
