"""The service's secret and what it protects: case-key checks, idempotency digests, proof-of-work challenges.

Case keys are 130 random bits made on the person's device (weak ones are refused), so no guessing attack gets
anywhere near them, online or with a copy of the database; a slow hash would add nothing that the key's length
does not already give, and its cost is what once made a per-case throttle necessary, which let strangers lock a
person out of their own case. Keys are therefore stored as HMAC-SHA256 under a server secret kept in a file
outside the database: a check takes microseconds, and a stolen database alone does not even allow testing a
guess. Rows written before this change hold a scrypt hash; they are still verified (slowly) and rewritten in the
new form the first time their owner uses them.

Platform keys are 256-bit random strings, where a plain SHA-256 is enough and lets the service find the
platform by its key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CaseKeyHasher",
    "KeyCheck",
    "ScryptParams",
    "ServerSecret",
    "key_digest",
    "keyed_digest",
    "new_platform_key",
    "scrypt_form",
]

_SECRET_BYTES = 32
_HMAC_PREFIX = "hmac-sha256"
_SCRYPT_PREFIX = "scrypt"


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost: ``n`` (CPU/memory, a power of two), ``r`` (block size), ``p`` (parallelism).

    Only rows stored before keyed hashing carry scrypt hashes; the parameters are read from each stored string.
    """

    n: int = 2**14
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1):
            raise ValueError("scrypt n must be a power of two of at least 2")
        if self.r < 1 or self.p < 1:
            raise ValueError("scrypt r and p must be at least 1")


class ServerSecret:
    """32 random bytes that never enter the database; every keyed digest of the service derives from them.

    Losing the file makes every case key unverifiable, so it is backed up apart from the database (a backup of
    both together gives an attacker nothing a database copy would not, since keys are 130 random bits).
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < _SECRET_BYTES:
            raise ValueError(f"the server secret needs at least {_SECRET_BYTES} bytes")
        self._secret = secret
        #: Names the secret in stored digests, so a wrong secret file is told apart from a wrong key.
        self.key_id = self.subkey("key-id").hex()[:8]

    @classmethod
    def ephemeral(cls) -> ServerSecret:
        """A secret for one process only (an in-memory database: nothing outlives the process anyway)."""
        return cls(secrets.token_bytes(_SECRET_BYTES))

    @classmethod
    def load_or_create(cls, path: Path) -> ServerSecret:
        """Read the secret file, creating it (owner-only, atomically) when it does not exist yet.

        Several processes may start at once: the file is written aside and linked into place, so each process
        either creates it or reads the one another process made, never a half-written file.

        Raises:
            OSError: the file cannot be read or created (its folder must exist).
            ValueError: the file exists but does not hold a secret.
        """
        try:
            return cls._read(path)
        except FileNotFoundError:
            pass
        handle, staging = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(_SECRET_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(staging, path)
            except FileExistsError:
                pass  # another process won the race; use its secret
        finally:
            os.unlink(staging)
        return cls._read(path)

    @classmethod
    def _read(cls, path: Path) -> ServerSecret:
        text = path.read_text(encoding="ascii").strip()
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{path} does not hold a server secret (64 hex digits)") from None
        return cls(secret)

    def subkey(self, purpose: str) -> bytes:
        """An independent key for one purpose, so a digest made for one job can never stand in for another."""
        return hmac.new(self._secret, b"takeback-intake/" + purpose.encode("ascii"), hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"ServerSecret(key_id={self.key_id!r})"


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """The outcome of checking a case key against its stored form."""

    matches: bool
    #: The key matched a stored form that should be rewritten (scrypt from before keyed hashing).
    outdated: bool = False


class CaseKeyHasher:
    """Stores and checks case keys as ``hmac-sha256$<key id>$<base64 digest>``; checks old scrypt rows too."""

    def __init__(self, secret: ServerSecret) -> None:
        self._key = secret.subkey("case-key")
        self._key_id = secret.key_id

    def stored_form(self, case_key: str) -> str:
        """The stored form of a normalised case key."""
        digest = hmac.new(self._key, case_key.encode("ascii"), hashlib.sha256).digest()
        return f"{_HMAC_PREFIX}${self._key_id}${base64.b64encode(digest).decode()}"

    def check(self, case_key: str | None, stored: str | None) -> KeyCheck:
        """Whether ``case_key`` opens ``stored``. None on either side (unknown case, malformed key) never does,
        after the same keyed-hash work as a real check."""
        candidate = self.stored_form(case_key or "0" * 26)
        if stored is None or case_key is None:
            hmac.compare_digest(candidate, candidate)
            return KeyCheck(False)
        if stored.startswith(_SCRYPT_PREFIX + "$"):
            return KeyCheck(_scrypt_matches(case_key, stored), outdated=True)
        return KeyCheck(hmac.compare_digest(candidate, stored))

    @staticmethod
    def is_outdated(stored: str) -> bool:
        return stored.startswith(_SCRYPT_PREFIX + "$")


def _scrypt(secret: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        secret.encode("ascii"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=256 * params.n * params.r * params.p,
        dklen=32,
    )


def scrypt_form(case_key: str, params: ScryptParams) -> str:
    """The stored form rows had before keyed hashing (``scrypt$n$r$p$salt$hash``); tests make old rows with it."""
    salt = secrets.token_bytes(16)
    b64 = base64.b64encode
    return f"{_SCRYPT_PREFIX}${params.n}${params.r}${params.p}${b64(salt).decode()}${b64(_scrypt(case_key, salt, params)).decode()}"


def _scrypt_matches(case_key: str, stored: str) -> bool:
    _prefix, n, r, p, salt, digest = stored.split("$")
    candidate = _scrypt(case_key, base64.b64decode(salt), ScryptParams(int(n), int(r), int(p)))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def new_platform_key() -> str:
    """A fresh 256-bit platform key, URL-safe."""
    return secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    """SHA-256 hex of a high-entropy key (platform keys, idempotency keys)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def keyed_digest(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 hex: a digest nobody without the server secret can compute or test guesses against."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()
