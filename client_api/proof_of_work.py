"""The proof of work the intake service asks before it opens a case or adds fingerprints (protocol.md).

The service makes flooding its hash list cost CPU time instead of storing anything about who sends: each such
request carries a nonce that solves a challenge from ``GET /v1/challenge`` for exactly that request. At the
service's default cost a person's computer spends about a second per case (a few more for hundreds of files);
someone opening ten thousand cases spends hours. The work is scrypt, which Python runs at native speed.

:class:`ProofOfWork` is an ``httpx.Auth``: it fetches a challenge, solves it and adds the ``Proof-Of-Work``
header to the POSTs that need one, and keeps the solution so a retry of the same request costs nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import OrderedDict
from collections.abc import Generator

import httpx

__all__ = ["NoChallenge", "ProofOfWork", "binding_of", "solve"]

#: The protocol's scrypt parameters (1 MiB of memory per try).
_N, _R = 1024, 8
_MAXMEM = 4 * 128 * _N * _R
_HEADER = "Proof-Of-Work"


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


def _needs_proof(request: httpx.Request) -> bool:
    path = request.url.path
    return request.method == "POST" and (path.endswith("/v1/cases") or path.endswith("/items"))


def _challenge_url(request: httpx.Request) -> httpx.URL:
    path = request.url.path
    return request.url.copy_with(path=path[: path.rfind("/v1/")] + "/v1/challenge", query=None)


class NoChallenge(httpx.ConnectError):
    """The service gave no usable challenge, so the request itself was never sent (safe to try again)."""


class ProofOfWork(httpx.Auth):
    """Adds a solved ``Proof-Of-Work`` header to each request that opens a case or adds items.

    A service that answers ``GET /v1/challenge`` with 404 asks for no proof (an older version). Any other
    failure to get a challenge raises :class:`NoChallenge`: the request was not sent. When the service says the
    challenge expired (a long wait between retries), one new challenge is solved and the request sent again.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(self, remembered: int = 16) -> None:
        self._solved: OrderedDict[str, str] = OrderedDict()
        self._remembered = remembered

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not _needs_proof(request):
            yield request
            return
        items = _item_count(request.content)
        if items is None:  # not a body the service will take: its answer says why, and costs nothing
            yield request
            return
        binding = binding_of(request.method, request.url.path, request.headers.get("Idempotency-Key", ""),
                             request.content)
        for fresh in (False, True):
            proof = None if fresh else self._solved.get(binding)
            if proof is None:
                # The same User-Agent as the request itself, and nothing else of it.
                same = {name: request.headers[name] for name in ("User-Agent", "Accept") if name in request.headers}
                answer = yield httpx.Request("GET", _challenge_url(request), headers=same)
                if answer.status_code == 404:
                    yield request
                    return
                proof = self._solve(answer, binding, items, request)
                self._remember(binding, proof)
            request.headers[_HEADER] = proof
            response = yield request
            if not fresh and _expired(response):
                continue
            return

    @staticmethod
    def _solve(answer: httpx.Response, binding: str, items: int, request: httpx.Request) -> str:
        try:
            if answer.status_code != 200:
                raise ValueError(f"the challenge was answered {answer.status_code}")
            offer = json.loads(answer.content)
            challenge, work, per_item = str(offer["challenge"]), int(offer["work"]), int(offer["work_per_item"])
        except (ValueError, KeyError, TypeError) as exc:
            raise NoChallenge(f"no usable proof-of-work challenge: {exc}", request=request) from None
        return f"{challenge};{solve(challenge, binding, work + per_item * items)}"

    def _remember(self, binding: str, proof: str) -> None:
        self._solved[binding] = proof
        while len(self._solved) > self._remembered:
            self._solved.popitem(last=False)


def _item_count(body: bytes) -> int | None:
    try:
        items = json.loads(body)["items"]
    except (ValueError, KeyError, TypeError):
        return None
    return len(items) if isinstance(items, list) else None


def _expired(response: httpx.Response) -> bool:
    if response.status_code != 428:
        return False
    try:
        return json.loads(response.content)["error"]["code"] == "proof_of_work_expired"
    except (ValueError, KeyError, TypeError):
        return False
