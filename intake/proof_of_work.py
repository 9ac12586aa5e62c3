"""Flooding costs the flooder: every new case and every batch of items carries a proof of work.

The service hands out challenges signed with a key derived from its secret (HMAC), each with its expiry and
cost inside, so any process of the service can check any challenge with no shared state and nothing about the
client is stored: no address, no counter. The client searches for a nonce such that

    scrypt(password = "<binding>:<nonce>", salt = "<challenge>", n=1024, r=8, p=1, dklen=32)

read as a big-endian number, is below 2**256 // (work + work_per_item * items). ``binding`` is the SHA-256 of
the method, the path from ``/v1/`` on, the idempotency key and the body bytes, so one solution opens one case or
adds one batch, once: replaying it replays the same request, which the idempotency record answers without
writing anything.

scrypt with 1 MiB of memory, not SHA-256: Python's hashlib.scrypt runs at native speed, so the person's client
is not at a 30x disadvantage to a flooder's C code, and the memory it needs blunts GPUs, against which a
SHA-256 proof costs next to nothing. Checking a proof is one scrypt call (about 3 ms).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ProofOfWorkExpired, ProofOfWorkInvalid, ProofOfWorkRequired
from .secrets_store import ServerSecret

__all__ = ["SCRYPT_N", "SCRYPT_R", "Challenges", "binding_of"]

SCRYPT_N = 1024
SCRYPT_R = 8
_MAXMEM = 4 * 128 * SCRYPT_N * SCRYPT_R
_CHALLENGE = re.compile(r"^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$")
_HEADER = re.compile(r"^([0-9A-Za-z._-]{1,120});(\d{1,20})$")


def binding_of(method: str, path: str, idempotency_key: str, body: bytes) -> str:
    """What a proof is bound to: this request and no other."""
    tail = path[path.find("/v1/") :] if "/v1/" in path else path
    digest = hashlib.sha256(f"{method.upper()}\n{tail}\n{idempotency_key}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _meets(challenge: str, binding: str, nonce: int, work: int) -> bool:
    digest = hashlib.scrypt(
        f"{binding}:{nonce}".encode(), salt=challenge.encode(), n=SCRYPT_N, r=SCRYPT_R, p=1, maxmem=_MAXMEM, dklen=32
    )
    return int.from_bytes(digest, "big") < (1 << 256) // work


@dataclass(frozen=True, slots=True)
class Challenge:
    text: str
    work: int
    work_per_item: int
    expires_in: int

    def to_json(self) -> dict[str, object]:
        return {
            "challenge": self.text,
            "work": self.work,
            "work_per_item": self.work_per_item,
            "expires_in": self.expires_in,
        }


class Challenges:
    """Issues and checks proof-of-work challenges.

    Args:
        secret: the service's secret (challenges are signed with a key derived from it).
        work: expected scrypt calls for any request that opens a case or adds items (1 = no real work).
        work_per_item: expected scrypt calls added per item in the request.
        lifetime: seconds a challenge stays valid.
        clock: Unix seconds (tests move it).
    """

    def __init__(
        self,
        secret: ServerSecret,
        *,
        work: int,
        work_per_item: int,
        lifetime: int = 600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = secret.subkey("proof-of-work")
        self.work = work
        self.work_per_item = work_per_item
        self.lifetime = lifetime
        self._clock = clock

    def issue(self) -> Challenge:
        expires = int(self._clock()) + self.lifetime
        body = f"{expires}.{self.work}.{self.work_per_item}.{_b64(secrets.token_bytes(16))}"
        return Challenge(f"{body}.{self._mac(body)}", self.work, self.work_per_item, self.lifetime)

    def check(self, header: str | None, *, binding: str, items: int) -> None:
        """Accept the request's proof, or raise the reason it is refused.

        Raises:
            ProofOfWorkRequired: no proof, or not in the protocol's form.
            ProofOfWorkExpired: the challenge is too old (fetch a new one).
            ProofOfWorkInvalid: the challenge was not issued here, or the nonce does not meet it.
        """
        found = _HEADER.fullmatch(header.strip()) if header else None
        if found is None:
            raise ProofOfWorkRequired()
        challenge, nonce = found[1], int(found[2])
        parts = _CHALLENGE.fullmatch(challenge)
        if parts is None or not hmac.compare_digest(parts[5], self._mac(challenge.rsplit(".", 1)[0])):
            raise ProofOfWorkInvalid()
        if int(parts[1]) < self._clock():
            raise ProofOfWorkExpired()
        # The cost signed into the challenge counts, but never less than this process asks for now.
        work = max(int(parts[2]), self.work) + max(int(parts[3]), self.work_per_item) * items
        if not _meets(challenge, binding, nonce, max(1, work)):
            raise ProofOfWorkInvalid()

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:16])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
