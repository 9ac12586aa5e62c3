"""The proof of work the intake service asks before it opens a case or adds fingerprints (protocol.md).

The service makes flooding its hash list cost CPU time instead of storing anything about who sends: each such
request carries a nonce that solves a challenge from ``GET /v1/challenge`` for exactly that request. At the
service's default cost a person's computer spends about a second per case (a few more for hundreds of files);
someone opening ten thousand cases spends hours. The work is scrypt, which Python runs at native speed.

``IntakeClient`` fetches a challenge, solves it with :class:`Prover` and adds the ``Proof-Of-Work`` header to
the POSTs that need one; the solution is kept so a retry of the same request costs nothing more.
:class:`ProofOfWork` does the same as an ``httpx.Auth`` for plain httpx clients (tests, benchmarks).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Generator

import httpx

__all__ = [
    "CHALLENGE_PATH",
    "PROOF_HEADER",
    "ProofOfWork",
    "Prover",
    "binding_of",
    "is_expired",
    "item_count",
    "needs_proof",
    "solve",
]

#: The protocol's scrypt parameters (1 MiB of memory per try).
_N, _R = 1024, 8
_MAXMEM = 4 * 128 * _N * _R
#: The most work a client does for one request (about 3 minutes at 3 ms a try): a service asking more is not
#: one to spend a person's battery on.
_MAX_WORK = 60_000


def binding_of(method: str, path: str, idempotency_key: str, body: bytes) -> str:
    """What a proof is bound to: the method, the path from ``/v1/`` on, the idempotency key and the body."""
    tail = path[path.find("/v1/") :] if "/v1/" in path else path
    digest = hashlib.sha256(f"{method.upper()}\n{tail}\n{idempotency_key}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def solve(challenge: str, binding: str, work: int) -> int:
    """The first nonce whose scrypt value is below ``2**256 // work``: ``work`` tries on average."""
    target = (1 << 256) // max(1, work)
    salt = challenge.encode()
    for nonce in itertools.count():
        digest = hashlib.scrypt(f"{binding}:{nonce}".encode(), salt=salt, n=_N, r=_R, p=1, maxmem=_MAXMEM, dklen=32)
        if int.from_bytes(digest, "big") < target:
            return nonce
    raise AssertionError("unreachable")


PROOF_HEADER = "Proof-Of-Work"
CHALLENGE_PATH = "v1/challenge"


def needs_proof(method: str, path: str) -> bool:
    """Whether the service asks a proof for this request: those that open a case or add items."""
    path = path.split("?")[0]
    return method.upper() == "POST" and (path.endswith("v1/cases") or path.endswith("/items"))


def item_count(body: bytes) -> int | None:
    """How many items a request body carries, or None for a body the service will refuse anyway."""
    try:
        items = json.loads(body)["items"]
    except (ValueError, KeyError, TypeError):
        return None
    return len(items) if isinstance(items, list) else None


def is_expired(status_code: int, content: bytes) -> bool:
    """Whether an answer says the proof's challenge expired (solve a new one and send again)."""
    if status_code != 428:
        return False
    try:
        return json.loads(content)["error"]["code"] == "proof_of_work_expired"
    except (ValueError, KeyError, TypeError):
        return False


class Prover:
    """Solves proofs and remembers the last few, so the retries of one request cost nothing more."""

    def __init__(self, remembered: int = 16) -> None:
        self._solved: OrderedDict[str, str] = OrderedDict()
        self._remembered = remembered

    def remembered(self, method: str, path: str, idempotency_key: str, body: bytes) -> str | None:
        return self._solved.get(binding_of(method, "/" + path.lstrip("/"), idempotency_key, body))

    def solve(self, offer: bytes, method: str, path: str, idempotency_key: str, body: bytes) -> str:
        """The ``Proof-Of-Work`` header value for this request, from the service's challenge answer.

        Raises:
            ValueError: the challenge answer or the body is not in the protocol's form.
        """
        try:
            parsed = json.loads(offer)
            challenge, work, per_item = str(parsed["challenge"]), int(parsed["work"]), int(parsed["work_per_item"])
        except (KeyError, TypeError) as exc:
            raise ValueError("the proof-of-work challenge is not in the protocol's form") from exc
        items = item_count(body)
        if items is None or work < 1 or per_item < 0 or work + per_item * items > _MAX_WORK:
            raise ValueError("the proof-of-work challenge asks more than a person's computer should do")
        binding = binding_of(method, "/" + path.lstrip("/"), idempotency_key, body)
        proof = f"{challenge};{solve(challenge, binding, work + per_item * items)}"
        self._solved[binding] = proof
        while len(self._solved) > self._remembered:
            self._solved.popitem(last=False)
        return proof


class ProofOfWork(httpx.Auth):
    """The same, as an ``httpx.Auth`` for a plain ``httpx.Client`` (tests, benchmarks).

    ``IntakeClient`` does not use it: it fetches challenges through its own size- and deadline-guarded reads.
    A service that answers the challenge with 404 asks no proof.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(self) -> None:
        self._prover = Prover()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path, key = request.url.path, request.headers.get("Idempotency-Key", "")
        if not needs_proof(request.method, path) or item_count(request.content) is None:
            yield request
            return
        for fresh in (False, True):
            proof = None if fresh else self._prover.remembered(request.method, path, key, request.content)
            if proof is None:
                answer = yield httpx.Request(
                    "GET", request.url.copy_with(path=path[: path.rfind("/v1/")] + "/" + CHALLENGE_PATH, query=None),
                    headers={name: request.headers[name] for name in ("User-Agent", "Accept") if name in request.headers},
                )
                if answer.status_code != 200:
                    yield request
                    return
                proof = self._prover.solve(answer.content, request.method, path, key, request.content)
            request.headers[PROOF_HEADER] = proof
            response = yield request
            if fresh or not is_expired(response.status_code, response.content):
                return
