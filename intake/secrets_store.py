"""Slow salted hashes for case keys (scrypt) and fast digests for high-entropy platform keys.

Case keys are typed by people and guessed by attackers, so they get scrypt; the parameters travel inside the
stored string so they can be raised later without breaking old cases. Platform keys are 256-bit random
strings, where a plain SHA-256 is enough and lets the service find the platform by its key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["ScryptParams", "hash_case_key", "key_digest", "new_platform_key", "verify_case_key"]


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost: ``n`` (CPU/memory, a power of two), ``r`` (block size), ``p`` (parallelism)."""

    n: int = 2**14
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1):
            raise ValueError("scrypt n must be a power of two of at least 2")
        if self.r < 1 or self.p < 1:
            raise ValueError("scrypt r and p must be at least 1")


_PREFIX = "scrypt"
_SALT_BYTES = 16
_HASH_BYTES = 32


def _scrypt(secret: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        secret.encode("ascii"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=256 * params.n * params.r * params.p,
        dklen=_HASH_BYTES,
    )


def hash_case_key(case_key: str, params: ScryptParams) -> str:
    """The stored form of a (normalised) case key: ``scrypt$n$r$p$salt$hash`` with base64 fields."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(case_key, salt, params)
    b64 = base64.b64encode
    return f"{_PREFIX}${params.n}${params.r}${params.p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_case_key(case_key: str, stored: str) -> bool:
    """Whether ``case_key`` is the key behind ``stored``; always does the full scrypt work."""
    prefix, n, r, p, salt, digest = stored.split("$")
    if prefix != _PREFIX:
        raise ValueError("not a stored case key")
    candidate = _scrypt(case_key, base64.b64decode(salt), ScryptParams(int(n), int(r), int(p)))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def new_platform_key() -> str:
    """A fresh 256-bit platform key, URL-safe."""
    return secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """SHA-256 hex of a high-entropy key (platform keys, idempotency keys)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
