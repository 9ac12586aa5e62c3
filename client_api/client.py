"""``IntakeClient``: the one place Takeback speaks HTTP to the intake service (protocol.md, person-facing API).

It owns one ``httpx.Client`` with explicit timeouts, refuses plain http except to this computer, never turns
certificate checks off, sends a fixed ``User-Agent`` that says nothing about the machine, keeps no cookies and
reads no proxy, netrc or certificate settings from the environment (``trust_env=False``: a ``.netrc`` entry would
otherwise add a login to our requests). Calls block, so the app runs them on a worker thread.

Retries are for faults that a second try can fix and where trying again cannot do harm: a connection that never
opened, a timeout or dropped connection, ``429`` (honouring ``Retry-After`` up to a cap) and ``500/502/503/504``.
Every POST carries an ``Idempotency-Key``, so a request that did arrive but whose answer was lost is answered
again by the service without creating anything twice. httpx errors are caught here only and re-raised as our
``ClientError`` family, so callers never see httpx or JSON.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.cookiejar
import ipaddress
import json
import logging
import math
import random
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from . import _wire
from ._guarded_http import (
    MAX_ANSWER_BYTES,
    Answer,
    AnswerTooLarge,
    DeadlineBackend,
    DeadlineExpired,
    UnreadableAnswer,
    read_answer,
)
from .errors import (
    Cancelled,
    CaseNotFound,
    CaseWithdrawn,
    ClientError,
    IncompleteSubmission,
    InsecureConnection,
    InvalidCaseNumber,
    InvalidServiceAddress,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
    TooManyAttempts,
    UnexpectedResponse,
    UntrustedCertificate,
)
from .keys import normalise_case_key, normalise_case_number
from .models import CaseCredentials, CaseStatus, Item, Program
from . import proof_of_work

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "MAX_ANSWER_BYTES",
    "MASKED_CASE_KEY",
    "MAX_BODY_BYTES",
    "MAX_ITEMS_PER_REQUEST",
    "IntakeClient",
    "RetryPolicy",
    "is_loopback_host",
    "new_idempotency_key",
    "payload_preview",
]

log = logging.getLogger(__name__)


class _QuietHttpx(logging.Filter):
    """Drops httpx's INFO line per request: it holds the URL, and ours carry the case number.

    Nothing about a case may reach a log (the app logs to stderr at INFO when diagnostics are on); httpx's
    warnings still pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


@functools.cache
def _quiet_httpx_logs() -> None:
    """Install ``_QuietHttpx`` once, when the first client is made: importing ``client_api`` changes no logger."""
    logging.getLogger("httpx").addFilter(_QuietHttpx())


#: Connecting should be quick; a big batch of video fingerprints on a slow uplink may take a while to write.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=60.0, pool=10.0)
#: One request, from connecting to the last byte of the answer, may take this long whatever the server does...
DEFAULT_DEADLINE = 60.0
#: ...plus the time its body takes to send at this many bytes a second (a slow mobile uplink).
_SLOW_UPLINK_BYTES_PER_S = 32 * 1024
_TOO_SLOW_MESSAGE = (
    "The service took too long to answer, so Takeback stopped waiting. Your fingerprints are kept; try again later."
)
MAX_ITEMS_PER_REQUEST = 500  #: protocol limit
MAX_BODY_BYTES = 4 * 1024 * 1024  #: protocol limit; bigger submissions are sent in several requests

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# The request never reached the service: always safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The request may have arrived: safe to send again only when the call is idempotent.
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try before telling the person. Delays are in seconds.

    Attributes:
        attempts: tries in all, the first included (1 means no retries).
        backoff: the first retry waits up to this long; each later one up to twice as long (full jitter).
        max_backoff: no single wait is longer than this.
        max_retry_after: the longest ``Retry-After`` we wait for; a longer one is reported as ``TooManyAttempts``.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if min(self.backoff, self.max_backoff, self.max_retry_after) < 0:
            raise ValueError("retry delays must not be negative")

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0-based): exponential, capped, with full jitter."""
        return random.uniform(0.0, min(self.max_backoff, self.backoff * 2.0**retry))


#: What ``payload_preview`` shows in place of the case key: the secret is never put on screen with the payload.
MASKED_CASE_KEY = "(your case key)"


def payload_preview(items: Iterable[Item], *, program: Program | None = None, client_version: str = "unknown") -> str:
    """What the service receives for these items, as indented JSON, for a person who wants to see it.

    Built by the same code as the requests themselves. With ``program`` it is the body that opens a case (with
    the case key replaced by ``MASKED_CASE_KEY``); without, the body that adds items to a case. A submission too
    big for one request goes as several bodies of this shape, together holding exactly these items.
    """
    if not _VERSION.fullmatch(client_version):
        raise ValueError("client_version is a short version string such as '0.1.0'")
    body: dict[str, Any] = {"items": _wire.items_to_json(items)}
    if program is not None:
        if not isinstance(program, Program):
            raise TypeError(f"program is a Program, got {type(program).__name__}")
        body = {"program": program.value, "client": f"takeback/{client_version}", "case_key": MASKED_CASE_KEY,
                **body}
    return json.dumps(json.loads(_wire.dumps(body)), indent=2)


def new_idempotency_key() -> str:
    """A fresh ``Idempotency-Key`` (a random UUID). Reuse it when retrying the same submission later."""
    return str(uuid.uuid4())


def _derived_idempotency_key(key: str, batch: int) -> str:
    """A stable key for batch ``batch`` of one submission, so retrying the whole submission replays each batch.

    Shaped as a version-4 UUID, as the protocol asks, but derived from the submission's key instead of random.
    """
    if batch == 0:
        return key
    digest = hashlib.sha256(f"{key}/batch/{batch}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _check_idempotency_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"idempotency_key is a str, got {type(key).__name__}")
    try:
        uuid.UUID(key)
    except ValueError as exc:
        raise ValueError("idempotency_key must be a UUID (use new_idempotency_key())") from exc
    return key


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) is this computer: the only place plain ``http://`` may go."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_VERSION = re.compile(r"[A-Za-z0-9._+-]{1,40}")
_HOST_LABELS = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def _is_host_name(raw_host: bytes) -> bool:
    host = raw_host.decode("ascii", errors="replace")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return _HOST_LABELS.fullmatch(host) is not None


def _checked_base_url(base_url: str) -> httpx.URL:
    try:
        url = httpx.URL(base_url)
        # Reading the host decodes IDNA ("xn--...") and can fail there, as can an out-of-range port.
        usable = url.scheme in ("https", "http") and bool(url.host) and not url.userinfo
        usable = usable and _is_host_name(url.raw_host) and (url.port is None or 0 < url.port < 65536)
        str(url).encode("ascii")
    except (httpx.InvalidURL, TypeError, ValueError) as exc:  # UnicodeError and idna's errors are ValueErrors
        raise InvalidServiceAddress() from exc
    if not usable:
        raise InvalidServiceAddress()
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise InsecureConnection()
    # A trailing slash makes relative paths like "v1/cases" land under any path prefix the service lives at.
    path = url.path if url.path.endswith("/") else url.path + "/"
    return url.copy_with(path=path, query=None, fragment=None)


def _checked_tls(verify: ssl.SSLContext | None) -> ssl.SSLContext | bool:
    if verify is None:
        return True
    if not isinstance(verify, ssl.SSLContext):
        raise TypeError("verify is an ssl.SSLContext (to trust a private certificate authority) or None")
    if verify.verify_mode is not ssl.CERT_REQUIRED or not verify.check_hostname:
        raise ValueError("certificate verification cannot be turned off")
    return verify


def _is_certificate_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _retry_after_seconds(response: Answer) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class IntakeClient:
    """A connection to one intake service. Use it as a context manager, or call ``close()``.

    Args:
        base_url: the service's address, e.g. ``https://intake.example.org``. ``http://`` only to this computer.
        timeout: limits for connecting, reading, writing and waiting for a connection, on every call.
        transport: an httpx transport to use instead of the network (tests of faults a real server can't make).
        client_version: Takeback's version, sent as ``client`` and in the ``User-Agent`` (``takeback/<version>``).
        retries: how often and how patiently to retry faults that a retry can fix.
        verify: an ``ssl.SSLContext`` trusting a private certificate authority; verification itself stays on.
        deadline: seconds one request may take in all, however slowly the server answers (plus the time the
            body needs on a slow uplink). A request that runs out of time is not retried.

    Raises:
        InsecureConnection: ``http://`` to anything but a loopback address.
        InvalidServiceAddress: not an http(s) address with a host, or one with a login in it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        client_version: str = "unknown",
        retries: RetryPolicy = RetryPolicy(),
        verify: ssl.SSLContext | None = None,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        if not isinstance(timeout, httpx.Timeout):
            raise TypeError("timeout is an httpx.Timeout: every call needs one")
        if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            raise ValueError("every part of the timeout needs a limit: a call must never wait forever")
        if not isinstance(client_version, str) or not _VERSION.fullmatch(client_version):
            raise ValueError("client_version is a short version string such as '0.1.0'")
        if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not 0 < deadline < math.inf:
            raise ValueError("deadline is a positive number of seconds: a call must never wait forever")
        self._url = _checked_base_url(base_url)
        _quiet_httpx_logs()
        self._deadline = float(deadline)
        self._backend: DeadlineBackend | None = None
        if transport is None:
            transport = httpx.HTTPTransport(verify=_checked_tls(verify), trust_env=False)
            # httpx offers no public way to choose the pool's network backend; the pool reads this attribute
            # for every new connection (test_hostile_server.py fails if that ever changes).
            self._backend = DeadlineBackend(transport._pool._network_backend)
            transport._pool._network_backend = self._backend
        self._client_name = f"takeback/{client_version}"
        self._retries = retries
        self._prover = proof_of_work.Prover()
        # Refuse every cookie: nothing should tie one request to the next beyond what the protocol sends.
        no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._http = httpx.Client(
            base_url=self._url,
            timeout=timeout,
            transport=transport,
            trust_env=False,
            follow_redirects=False,
            cookies=no_cookies,
            # Our answers are small: nothing to gain from compression, and less for a hostile server to abuse.
            headers={"User-Agent": self._client_name, "Accept": "application/json", "Accept-Encoding": "identity"},
        )

    # -- lifecycle --------------------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IntakeClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"IntakeClient({str(self._url)!r})"

    # -- the protocol -----------------------------------------------------------------------------------------

    def create_case(
        self,
        program: Program,
        items: Iterable[Item],
        *,
        case_key: str,
        idempotency_key: str,
        cancel: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> CaseStatus:
        """Open a case with these fingerprints, protected by ``case_key`` (made on this device).

        Large submissions go in several requests: the first opens the case, the rest add to it. Calling again
        with the same items and ``idempotency_key`` after a failure finishes the job and never opens a second case.

        Args:
            cancel: set it to stop between requests and during waits before a retry (a request already on its
                way finishes or times out first).
            progress: called with the share of items the service has confirmed (0..1) after each request.

        Raises:
            IncompleteSubmission: the case is open (its credentials are on the error) but some items are unsent.
            Cancelled: ``cancel`` was set before the case was opened.
            ClientError: anything else that stopped the request; nothing was created that the person can't see.
        """
        if not isinstance(program, Program):
            raise TypeError(f"program is a Program, got {type(program).__name__}")
        all_items = tuple(items)
        if not all_items:
            raise ValueError("a case needs at least one item")
        key = normalise_case_key(case_key)
        idempotency_key = _check_idempotency_key(idempotency_key)
        envelope = {"program": program.value, "client": self._client_name, "case_key": key}
        batches = _batches(all_items, len(_wire.dumps({**envelope, "items": []})))
        body = {**envelope, "items": _wire.items_to_json(batches[0])}
        status = self._status_call("POST", "v1/cases", body, idempotency_key=idempotency_key, cancel=cancel)
        credentials = CaseCredentials(status.case_number, key)
        return self._send_batches(
            credentials, batches, idempotency_key, first_status=status, cancel=cancel, progress=progress
        )

    def add_items(
        self,
        credentials: CaseCredentials,
        items: Iterable[Item],
        *,
        idempotency_key: str,
        cancel: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> CaseStatus:
        """Add fingerprints to an existing, active case. ``cancel`` and ``progress`` work as for ``create_case``.

        Raises:
            CaseNotFound: wrong case number or key.
            CaseWithdrawn: the case was withdrawn.
            IncompleteSubmission: only some of the items reached the case (sent in several requests).
            Cancelled: ``cancel`` was set before any item was added.
        """
        all_items = tuple(items)
        if not all_items:
            raise ValueError("add_items needs at least one item")
        idempotency_key = _check_idempotency_key(idempotency_key)
        batches = _batches(all_items, len(_wire.dumps({"items": []})))
        return self._send_batches(
            credentials, batches, idempotency_key, first_status=None, cancel=cancel, progress=progress
        )

    def status(self, credentials: CaseCredentials) -> CaseStatus:
        """The case's state, counts and what platforms reported. Raises ``CaseNotFound`` for a wrong number or key."""
        return self._status_call("GET", self._case_path(credentials), None, credentials=credentials)

    def withdraw(self, credentials: CaseCredentials) -> CaseStatus:
        """Withdraw the case: platforms are told to delete its fingerprints. Withdrawing twice is harmless."""
        # The protocol makes withdrawal idempotent by itself; the key is sent anyway so every POST we retry has one.
        return self._status_call(
            "POST",
            f"{self._case_path(credentials)}/withdraw",
            None,
            credentials=credentials,
            idempotency_key=new_idempotency_key(),
        )

    # -- internals --------------------------------------------------------------------------------------------

    @staticmethod
    def _case_path(credentials: CaseCredentials) -> str:
        if not isinstance(credentials, CaseCredentials):
            raise TypeError(f"credentials is a CaseCredentials, got {type(credentials).__name__}")
        return f"v1/cases/{credentials.case_number}"

    def _send_batches(
        self,
        credentials: CaseCredentials,
        batches: Sequence[tuple[Item, ...]],
        idempotency_key: str,
        *,
        first_status: CaseStatus | None,
        cancel: threading.Event | None,
        progress: Callable[[float], None] | None,
    ) -> CaseStatus:
        status = first_status
        sent = len(batches[0]) if first_status is not None else 0
        total = sum(len(batch) for batch in batches)
        if progress is not None and sent:
            progress(sent / total)
        start = 1 if first_status is not None else 0
        for index in range(start, len(batches)):
            body = {"items": _wire.items_to_json(batches[index])}
            try:
                status = self._status_call(
                    "POST",
                    f"{self._case_path(credentials)}/items",
                    body,
                    credentials=credentials,
                    idempotency_key=_derived_idempotency_key(idempotency_key, index),
                    cancel=cancel,
                )
            except ClientError as exc:
                if sent == 0:
                    raise
                raise IncompleteSubmission(credentials, sent, total) from exc
            sent += len(batches[index])
            if progress is not None:
                progress(sent / total)
        assert status is not None  # there is always at least one batch
        return status

    def _status_call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        credentials: CaseCredentials | None = None,
        idempotency_key: str | None = None,
        cancel: threading.Event | None = None,
    ) -> CaseStatus:
        headers = {}
        if credentials is not None:
            headers["Authorization"] = f"Bearer {credentials.case_key}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        content = None
        if body is not None:
            content = _wire.dumps(body)
            headers["Content-Type"] = "application/json"
        # GETs change nothing; our POSTs all carry an idempotency key. Anything else is not retried once sent.
        idempotent = method == "GET" or idempotency_key is not None
        response = self._send(method, path, content, headers, idempotent=idempotent, cancel=cancel)
        try:
            status = _wire.status_from_json(response.json())
            return _with_checked_number(status)
        except (ValueError, _wire.WireFormatError) as exc:
            raise UnexpectedResponse() from exc

    def _send(
        self,
        method: str,
        path: str,
        content: bytes | None,
        headers: dict[str, str],
        *,
        idempotent: bool,
        cancel: threading.Event | None,
    ) -> Answer:
        policy = self._retries

        def wait(seconds: float) -> None:
            if cancel is None:
                time.sleep(seconds)
            elif cancel.wait(seconds):
                raise Cancelled()

        for attempt in range(policy.attempts):
            last = attempt == policy.attempts - 1
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                response = self._request(method, path, content, headers)
            except DeadlineExpired as exc:
                log.info("%s request ran out of time, attempt %d of %d", method, attempt + 1, policy.attempts)
                raise ServiceUnavailable(_TOO_SLOW_MESSAGE) from exc
            except (AnswerTooLarge, UnreadableAnswer) as exc:
                raise UnexpectedResponse() from exc
            except httpx.TransportError as exc:
                if _is_certificate_failure(exc):
                    raise UntrustedCertificate() from exc
                if isinstance(exc, httpx.UnsupportedProtocol):
                    raise InvalidServiceAddress() from exc
                retryable = isinstance(exc, _NOT_SENT) or (idempotent and isinstance(exc, _MAYBE_SENT))
                log.info("%s request failed (%s), attempt %d of %d", method, type(exc).__name__, attempt + 1,
                         policy.attempts)
                if last or not retryable:
                    raise ServiceUnavailable() from exc
                wait(policy.delay(attempt))
                continue
            except httpx.HTTPError as exc:  # e.g. a body that fails to decompress
                raise UnexpectedResponse() from exc

            if response.status_code == 429:
                retry_after = _retry_after_seconds(response)
                if last or (retry_after is not None and retry_after > policy.max_retry_after):
                    raise TooManyAttempts(retry_after)
                log.info("%s request throttled, attempt %d of %d", method, attempt + 1, policy.attempts)
                wait(retry_after if retry_after is not None else policy.delay(attempt))
                continue
            if response.status_code in _RETRY_STATUSES and idempotent and not last:
                log.info("%s request got %d, attempt %d of %d", method, response.status_code, attempt + 1,
                         policy.attempts)
                wait(policy.delay(attempt))
                continue
            return _checked_response(response)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _request(self, method: str, path: str, content: bytes | None, headers: dict[str, str]) -> Answer:
        """One request, with the proof of work the service asks for opening a case or adding items.

        The challenge comes through the same guarded exchange; an answer to it other than 200 (a 404 from a
        service that asks no proof aside) is returned as this request's answer, so it is retried or reported
        like any other. A proof is solved once per request and reused on its retries, again when it expired.
        """
        if content is None or not proof_of_work.needs_proof(method, path):
            return self._exchange(method, path, content, headers)
        key = headers.get("Idempotency-Key", "")
        for fresh in (False, True):
            proof = None if fresh else self._prover.remembered(method, path, key, content)
            if proof is None:
                offer = self._exchange("GET", proof_of_work.CHALLENGE_PATH, None, {})
                if offer.status_code == 404:
                    return self._exchange(method, path, content, headers)
                if offer.status_code != 200:
                    return offer
                try:
                    proof = self._prover.solve(offer.content, method, path, key, content)
                except ValueError as exc:
                    raise UnreadableAnswer("the proof-of-work challenge") from exc
            answer = self._exchange(method, path, content, {**headers, proof_of_work.PROOF_HEADER: proof})
            if fresh or not proof_of_work.is_expired(answer.status_code, answer.content):
                return answer
        raise AssertionError("unreachable: the fresh try always returns")

    def _exchange(self, method: str, path: str, content: bytes | None, headers: dict[str, str]) -> Answer:
        """One HTTP exchange within its deadline, the answer read whole but never past ``MAX_ANSWER_BYTES``."""
        deadline = time.monotonic() + self._deadline + len(content or b"") / _SLOW_UPLINK_BYTES_PER_S
        request = self._http.build_request(method, path, content=content, headers=headers)
        within = self._backend.deadline(deadline) if self._backend is not None else contextlib.nullcontext()
        with within:
            try:
                response = self._http.send(request, stream=True)
                try:
                    return read_answer(response, deadline)
                finally:
                    response.close()
            except httpx.TransportError as exc:
                if time.monotonic() >= deadline:
                    raise DeadlineExpired() from exc
                raise


def _checked_response(response: Answer) -> Answer:
    status = response.status_code
    if 200 <= status < 300:
        return response
    if status >= 500:
        raise ServerError()
    if 400 <= status < 500:
        try:
            code, message = _wire.error_from_json(response.json())
        except ValueError:
            code, message = None, None
        if code == "case_not_found":
            raise CaseNotFound()
        if code == "case_withdrawn":
            raise CaseWithdrawn(status, code, message)
        if code is None and message is None:
            # Not the protocol's error shape: most likely not an intake service at all (a wrong address).
            raise UnexpectedResponse()
        raise RequestRejected(status, code, message)
    raise UnexpectedResponse()  # 1xx and 3xx: we follow no redirects


def _with_checked_number(status: CaseStatus) -> CaseStatus:
    try:
        number = normalise_case_number(status.case_number)
    except InvalidCaseNumber as exc:
        raise _wire.WireFormatError("status.case_number", "is not a valid case number") from exc
    return status if number == status.case_number else replace(status, case_number=number)


def _batches(items: tuple[Item, ...], envelope_bytes: int) -> list[tuple[Item, ...]]:
    """Split items into requests that each stay within the protocol's item and byte limits, keeping their order."""
    batches: list[tuple[Item, ...]] = []
    current: list[Item] = []
    size = envelope_bytes
    for item in items:
        item_bytes = len(_wire.dumps(_wire.item_to_json(item)))
        if envelope_bytes + item_bytes > MAX_BODY_BYTES:
            raise ValueError("one item's fingerprints are larger than a request may be")
        separator = 1 if current else 0
        if current and (len(current) == MAX_ITEMS_PER_REQUEST or size + separator + item_bytes > MAX_BODY_BYTES):
            batches.append(tuple(current))
            current, size, separator = [], envelope_bytes, 0
        current.append(item)
        size += separator + item_bytes
    batches.append(tuple(current))
    return batches
