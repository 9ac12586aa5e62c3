"""The ASGI application: the person-facing case API and the platforms' StopNCII-shaped hash exchange."""

# No "from __future__ import annotations": FastAPI reads the route signatures, whose aliases are local.

import base64
import binascii
import calendar
import datetime as dt
import functools
import hmac
import json
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import (
    BadRequest,
    CaseNotFound,
    IntakeError,
    IntakeErrorCode,
    InvalidRequest,
    MethodNotAllowed,
    MissingCaseKey,
    NotFound,
    PlatformUnauthorised,
)
from .identifiers import normalise_case_key, normalise_case_number
from .middleware import BodyLimit, CrashShield
from .model import DEFAULT_SIGNAL_TYPES, SignalType
from .proof_of_work import Challenges, binding_of
from .schemas import (
    AddItemsRequest,
    CaseStatusBody,
    ChallengeBody,
    CreateCaseRequest,
    ErrorBody,
    FetchHashesResponse,
    SubmitFeedbackRequest,
    SubmitFeedbackResponse,
    signals_of,
)
from .secrets_store import CaseKeyHasher, KeyCheck, ServerSecret, key_digest, keyed_digest
from .settings import Settings
from .storage import FetchPage, PlatformAccount, Storage

__all__ = ["API_VERSION", "create_app"]

API_VERSION = "1.0.0"

_IDEMPOTENCY_KEY = r"^[A-Za-z0-9_-]{8,128}$"


#: What any request can be answered: a malformed request or body (400), headers too slow (408), a body over the
#: limit (413), a parameter out of range (422), a fault of ours (500), every connection slot taken (503).
_COMMON = (400, 408, 413, 422, 500, 503)


def _errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    return {status: {"model": ErrorBody} for status in sorted(statuses)}


async def _raw_body(request: Request) -> bytes:
    """The body's bytes as they arrived (a proof of work is bound to them); Starlette keeps them after one read."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


@dataclass(frozen=True, slots=True)
class _Services:
    settings: Settings
    storage: Storage
    keys: CaseKeyHasher
    challenges: Challenges
    #: Keys the digest of each request body kept for idempotency: without the server secret, the record allows
    #: no test of a guessed case key, however weak.
    request_digest_key: bytes
    # An scrypt call takes up to ~16 MiB (keys of old cases) and a core for milliseconds; without a bound a burst
    # on the 40-thread pool would take them all at once. Requests beyond the bound wait their turn.
    scrypt_slots: threading.BoundedSemaphore

    def check_key(self, case_key: str | None, stored: str | None) -> KeyCheck:
        if stored is not None and CaseKeyHasher.is_outdated(stored):
            with self.scrypt_slots:
                return self.keys.check(case_key, stored)
        return self.keys.check(case_key, stored)

    def check_proof(self, header: str | None, request: Request, idempotency_key: str, body: bytes, items: int) -> None:
        binding = binding_of(request.method, request.url.path, idempotency_key, body)
        with self.scrypt_slots:
            self.challenges.check(header, binding=binding, items=items)

    def request_digest(self, body: CreateCaseRequest | AddItemsRequest) -> str:
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return keyed_digest(self.request_digest_key, canonical.encode())


def _server_secret(settings: Settings) -> ServerSecret:
    path = settings.secret_path()
    return ServerSecret.ephemeral() if path is None else ServerSecret.load_or_create(path)


def create_app(settings: Settings, *, storage: Storage | None = None) -> FastAPI:
    """Build the service: connect storage, check its schema, wire routes and error handling.

    Args:
        settings: the configuration.
        storage: an existing storage layer (tests share one); made from ``settings.database_url`` when None.
            The app disposes of a storage it made itself when it shuts down.

    Raises:
        DatabaseUnavailable, DatabaseOutOfDate, DatabaseTooNew: the database cannot be served as it is
            (``takeback intake migrate`` brings an older one up to date).
    """
    own_storage = storage is None
    storage = storage or Storage(settings.database_url)
    try:
        storage.check_schema()
        secret = _server_secret(settings)  # after the database: a missing folder is reported as the database's
    except BaseException:
        if own_storage:
            storage.dispose()
        raise
    services = _Services(
        settings=settings,
        storage=storage,
        keys=CaseKeyHasher(secret),
        challenges=Challenges(
            secret,
            work=settings.proof_of_work,
            work_per_item=settings.proof_of_work_per_item,
            lifetime=settings.challenge_lifetime,
        ),
        request_digest_key=secret.subkey("request-digest"),
        scrypt_slots=threading.BoundedSemaphore(settings.scrypt_concurrency),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_storage:
            storage.dispose()

    app = FastAPI(
        title="Takeback intake",
        version=API_VERSION,
        summary="Receives fingerprints from people and serves the hash list to platforms.",
        description="The wire protocol is described in docs/protocol.md.",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.storage = storage
    _install_error_handlers(app)
    app.add_middleware(CrashShield)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _add_person_routes(app, services)
    _add_platform_routes(app, services)
    _add_health_routes(app, storage)
    return app


# --- health (for load balancers and orchestrators; outside the documented API) ---


def _add_health_routes(app: FastAPI, storage: Storage) -> None:
    """``/healthz``: the process answers. ``/readyz``: it can also serve, its database reachable and current.

    Both answer a fixed body: no counts, versions or names that would tell anyone about the cases.
    """

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        try:
            storage.check_schema()
        except IntakeError:
            return JSONResponse({"status": "unavailable"}, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse({"status": "ready"})


# --- errors ---


def _malformed_json() -> BadRequest:  # noqa: N802 - reads as the error it makes
    return BadRequest("The request body is not valid JSON. Nothing was changed.", code=IntakeErrorCode.MALFORMED_JSON)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IntakeError)
    async def _intake_error(_request: Request, exc: IntakeError) -> JSONResponse:
        return JSONResponse(exc.as_json(), status_code=exc.status_code, headers=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        # An empty body arrives as a missing one; to the person it is the same as a body that is not JSON.
        if any(p.get("type") == "json_invalid" or (p.get("type") == "missing" and tuple(p.get("loc", ())) == ("body",))
               for p in problems):
            error: IntakeError = _malformed_json()
        else:
            described = "; ".join(
                f"{'.'.join(str(part) for part in p.get('loc', ()))}: {p.get('msg', 'invalid')}" for p in problems[:3]
            )
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            error = InvalidRequest(f"The request does not follow the protocol: {described}{more}. Nothing was changed.")
        return JSONResponse(error.as_json(), status_code=error.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            error: IntakeError = NotFound()
        elif exc.status_code == 405:
            error = MethodNotAllowed()
        else:
            # FastAPI's only other refusal is a body it cannot decode (not UTF-8, say): as far as the protocol
            # goes, that is a body that is not JSON.
            error = _malformed_json()
        return JSONResponse(error.as_json(), status_code=error.status_code, headers=exc.headers)


# --- person-facing API ---


def _idempotency_key(value: str | None) -> str:
    if value is None:
        raise BadRequest(
            "The Idempotency-Key header is missing; send a new random UUID with each new request.",
            code=IntakeErrorCode.MISSING_IDEMPOTENCY_KEY,
        )
    if not re.fullmatch(_IDEMPOTENCY_KEY, value):
        raise BadRequest(
            "The Idempotency-Key header must be 8 to 128 letters, digits, '-' or '_' (a UUID works).",
            code=IntakeErrorCode.INVALID_IDEMPOTENCY_KEY,
        )
    return value


def _add_person_routes(app: FastAPI, services: _Services) -> None:
    storage = services.storage

    def authenticated_case(
        case_number: Annotated[str, Path(max_length=40, description="As shown to the person, e.g. ABC-DEF-GH23")],
        authorization: Annotated[str | None, Header(description="Bearer <case key>")] = None,
    ) -> int:
        """The id of the case the request names, when its key is right; the same 404 otherwise."""
        if not authorization:
            raise MissingCaseKey()
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise MissingCaseKey()
        compact = normalise_case_number(case_number)
        case_key = normalise_case_key(credential.strip())
        stored = storage.case_key_hash(compact) if compact and case_key else None
        # The same keyed-hash work whether or not the case exists or the key is well formed. There is no
        # throttle: a key is 130 random bits, and a throttle per case number lets a stranger lock its owner out.
        verdict = services.check_key(case_key, stored.key_hash if stored else None)
        if stored is None or case_key is None or not verdict.matches:
            raise CaseNotFound()
        if verdict.outdated:
            storage.replace_key_hash(stored.case_id, stored.key_hash, services.keys.stored_form(case_key))
        return stored.case_id

    CaseId = Annotated[int, Depends(authenticated_case)]
    IdempotencyHeader = Annotated[
        str | None, Header(description="Required: a new random UUID per new request, the same one on its retries")
    ]
    ProofHeader = Annotated[
        str | None,
        Header(
            alias="Proof-Of-Work",
            description="Required: <challenge>;<nonce> solving a challenge from GET /v1/challenge for this request",
        ),
    ]

    @app.get(
        "/v1/challenge",
        response_model=ChallengeBody,
        responses=_errors(*_COMMON),
        summary="A proof-of-work challenge, needed to open a case or add fingerprints",
        tags=["cases"],
    )
    def challenge(response: Response) -> dict[str, object]:
        response.headers["Cache-Control"] = "no-store"
        return services.challenges.issue().to_json()

    @app.post(
        "/v1/cases",
        status_code=201,
        response_model=CaseStatusBody,
        responses=_errors(*_COMMON, 409, 428),
        summary="Create a case with its fingerprints",
        tags=["cases"],
    )
    def create_case(
        request: Request,
        body: CreateCaseRequest,
        raw: RawBody,
        response: Response,
        idempotency_key: IdempotencyHeader = None,
        proof_of_work: ProofHeader = None,
    ) -> dict[str, object]:
        key = _idempotency_key(idempotency_key)
        services.check_proof(proof_of_work, request, key, raw, len(body.items))
        answer = storage.create_case(
            program=body.program,
            key_hash=services.keys.stored_form(body.case_key),
            signals_per_item=[signals_of(item) for item in body.items],
            idempotency_key=key,
            request_digest=services.request_digest(body),
        )
        response.status_code = answer.status_code  # 201 when made now, the stored status when replayed
        return answer.body

    @app.post(
        "/v1/cases/{case_number}/items",
        response_model=CaseStatusBody,
        responses=_errors(*_COMMON, 401, 404, 409, 428),
        summary="Add fingerprints to a case",
        tags=["cases"],
    )
    def add_items(
        request: Request,
        case_id: CaseId,
        body: AddItemsRequest,
        raw: RawBody,
        response: Response,
        idempotency_key: IdempotencyHeader = None,
        proof_of_work: ProofHeader = None,
    ) -> dict[str, object]:
        key = _idempotency_key(idempotency_key)
        services.check_proof(proof_of_work, request, key, raw, len(body.items))
        answer = storage.add_items(
            case_id,
            signals_per_item=[signals_of(item) for item in body.items],
            idempotency_key=key,
            request_digest=services.request_digest(body),
        )
        response.status_code = answer.status_code
        return answer.body

    @app.get(
        "/v1/cases/{case_number}",
        response_model=CaseStatusBody,
        responses=_errors(*_COMMON, 401, 404),
        summary="Read a case's status",
        tags=["cases"],
    )
    def case_status(case_id: CaseId) -> CaseStatusBody:
        return storage.case_status(case_id)

    @app.post(
        "/v1/cases/{case_number}/withdraw",
        response_model=CaseStatusBody,
        responses=_errors(*_COMMON, 401, 404),
        summary="Withdraw a case; platforms then see its hashes as Withdrawn",
        tags=["cases"],
    )
    def withdraw(case_id: CaseId) -> CaseStatusBody:
        return storage.withdraw(case_id)


# --- platform API (StopNCII hash-exchange shape) ---


@functools.lru_cache(maxsize=1024)  # a page of 2,000 records spans a few days: compute each once
def _day_start(day: dt.date) -> int:
    return calendar.timegm(day.timetuple())


def _day_of(timestamp: int) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date()


_MAX_POSITION = 2**62


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where a platform is in the feed; travels as the opaque ``nextPageToken``."""

    since: dt.date
    seq: int
    last_id: int
    signal_types: frozenset[SignalType]
    mark: dt.date  # the latest change day seen so far: the checkpoint to resume from

    def encode(self) -> str:
        raw = json.dumps(
            {
                "v": 1,
                "s": self.since.toordinal(),
                "q": self.seq,
                "i": self.last_id,
                "t": sorted(t.value for t in self.signal_types),
                "m": self.mark.toordinal(),
            },
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "_Cursor":
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if raw["v"] != 1:
                raise ValueError("unknown token version")
            # Only positions this service can have handed out: anything else would reach the database as a
            # number it cannot hold (an OverflowError, a 500).
            if not all(isinstance(raw[k], int) and -1 <= raw[k] < _MAX_POSITION for k in ("q", "i")):
                raise ValueError("position out of range")
            if not isinstance(raw["t"], list) or not raw["t"]:
                raise ValueError("no signal types")
            return cls(
                since=dt.date.fromordinal(int(raw["s"])),
                seq=int(raw["q"]),
                last_id=int(raw["i"]),
                signal_types=frozenset(SignalType(t) for t in raw["t"]),
                mark=dt.date.fromordinal(int(raw["m"])),
            )
        except (binascii.Error, ValueError, KeyError, TypeError, OverflowError):
            raise BadRequest(
                "The nextPageToken is not one this service gave out. Start again from your last nextSetTimestamp.",
                code=IntakeErrorCode.INVALID_PAGE_TOKEN,
            ) from None


def _parse_signal_types(text: str) -> frozenset[SignalType]:
    try:
        chosen = frozenset(SignalType(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        known = ", ".join(t.value for t in SignalType)
        raise InvalidRequest(f"signalTypes must be a comma-separated list of: {known}.") from None
    if not chosen:
        raise InvalidRequest("signalTypes names no signal type.")
    return chosen


def _add_platform_routes(app: FastAPI, services: _Services) -> None:
    storage = services.storage
    settings = services.settings

    def authenticated_platform(
        ocp_apim_subscription_key: Annotated[str | None, Header()] = None,
        x_functions_key: Annotated[str | None, Header()] = None,
    ) -> PlatformAccount:
        if not ocp_apim_subscription_key or not x_functions_key:
            raise PlatformUnauthorised()
        platform = storage.platform_by_subscription_key(ocp_apim_subscription_key)
        expected = platform.function_digest if platform else key_digest("")
        if not hmac.compare_digest(key_digest(x_functions_key), expected) or platform is None:
            raise PlatformUnauthorised()
        return platform

    Platform = Annotated[PlatformAccount, Depends(authenticated_platform)]

    @app.get(
        "/v1/FetchHashes",
        response_model=FetchHashesResponse,
        responses=_errors(*_COMMON, 401),
        summary="Page through the hash list, oldest change first",
        tags=["platforms"],
    )
    def fetch_hashes(
        platform: Platform,
        startTimestamp: Annotated[int, Query(ge=0, le=32503680000)] = 0,  # noqa: N803 - StopNCII's names
        pageSize: Annotated[int | None, Query(ge=1)] = None,  # noqa: N803
        nextPageToken: Annotated[str | None, Query(max_length=400)] = None,  # noqa: N803
        signalTypes: Annotated[  # noqa: N803
            str | None, Query(max_length=200, description="Comma-separated; default ImagePDQ,VideoMD5,VideoTMK")
        ] = None,
    ) -> dict[str, object]:
        page_size = pageSize or settings.default_page_size
        if page_size > settings.max_page_size:
            raise InvalidRequest(f"pageSize must be at most {settings.max_page_size}.")
        if nextPageToken:
            cursor = _Cursor.decode(nextPageToken)
        else:
            since = _day_of(startTimestamp)
            if signalTypes:
                types = _parse_signal_types(signalTypes)
            else:
                types = DEFAULT_SIGNAL_TYPES | platform.signal_types
            cursor = _Cursor(since, -1, -1, types, since)
        page = storage.fetch_page(
            since=cursor.since,
            after=(cursor.seq, cursor.last_id),
            signal_types=cursor.signal_types,
            page_size=page_size,
            byte_budget=settings.page_byte_budget,
        )
        return _page_json(page, cursor)

    @app.post(
        "/v1/SubmitFeedback",
        response_model=SubmitFeedbackResponse,
        responses=_errors(*_COMMON, 401),
        summary="Report what the platform did about hashes (Blocked, NotBlocked, ...)",
        tags=["platforms"],
    )
    def submit_feedback(platform: Platform, body: SubmitFeedbackRequest) -> SubmitFeedbackResponse:
        recorded, unknown = storage.submit_feedback(
            platform.id, [(f.hashValue, f.feedbackValue, f.tags) for f in body.hashFeedbacks]
        )
        return SubmitFeedbackResponse(count=recorded, unknownHashes=unknown)


def _page_json(page: FetchPage, cursor: _Cursor) -> dict[str, object]:
    mark = max([cursor.mark, *(row.modified_on for row in page.rows)])
    records = [
        {
            "lastModtimestamp": _day_start(row.modified_on),
            "signalType": row.signal_type.value,
            "hashValue": row.hash_value,
            "hashStatus": "Active" if any(s.value == "Active" for s in row.case_refs.values()) else "Withdrawn",
            "caseNumbers": {ref: status.value for ref, status in sorted(row.case_refs.items())},
            "CSPFeedbacks": [
                {"feedbackValue": value.value, "tags": list(tags), "source": source}
                for value, tags, source in row.feedbacks
            ],
        }
        for row in page.rows
    ]
    next_token = None
    if page.has_more and page.rows:
        last = page.rows[-1]
        next_token = _Cursor(cursor.since, last.change_seq, last.id, cursor.signal_types, mark).encode()
    return {
        "count": len(records),
        "nextPageToken": next_token,
        "nextSetTimestamp": _day_start(mark),
        "hasMoreRecords": next_token is not None,
        "hashRecords": records,
    }


def openapi_document() -> dict[str, object]:
    """The OpenAPI document the service serves, built without a database file (kept as intake/openapi.json)."""
    storage = Storage("sqlite://")
    try:
        storage.migrate()
        return create_app(Settings(database_url="sqlite://"), storage=storage).openapi()
    finally:
        storage.dispose()
