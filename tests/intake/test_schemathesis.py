"""Property-based API tests: Schemathesis drives the real service from intake/openapi.json, on SQLite and
PostgreSQL. Every answer must be documented (status, content type, body schema) and none may be a 500.

To reach past the first checks, half the generated requests get a valid idempotency key and the platform's
real keys, and every request that needs one carries a solved proof of work (free in tests); the rest stay as
generated. The example count is bounded (``TAKEBACK_SCHEMATHESIS_EXAMPLES``, default 5 per operation, plus
the coverage phase's boundary cases), so the file runs in about a minute; raise it for a longer hunt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import intake
from client_api.proof_of_work import binding_of, solve
from intake import ServerHandle

#: Part of the full run only (property-based requests against two databases); the quick loop leaves it out.
pytestmark = pytest.mark.slow

DOCUMENT = Path(intake.__file__).parent / "openapi.json"
EXAMPLES = int(os.environ.get("TAKEBACK_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,128}$")

schema = schemathesis.openapi.from_path(DOCUMENT)
#: Requests made per operation in this run (printed with -s; the closing note quotes them).
CALLS: dict[str, int] = {}


def teardown_module() -> None:
    print("schemathesis requests per operation:", json.dumps(CALLS, sort_keys=True))


class Helpful(requests.auth.AuthBase):
    """Makes half the requests well-formed where the generator is unlikely to guess right, then proves work."""

    def __init__(self, base_url: str, platform_headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.platform_headers = platform_headers

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        path = request.path_url.split("?")[0]
        seen = f"{request.method} {request.path_url} {request.body!r} {sorted(request.headers.items())}"
        if hashlib.sha256(seen.encode()).digest()[0] % 2:  # half of them, the same half on every run
            if path.startswith("/v1/FetchHashes") or path.startswith("/v1/SubmitFeedback"):
                request.headers.update(self.platform_headers)
            if not _IDEMPOTENCY_KEY.fullmatch(request.headers.get("Idempotency-Key", "")):
                request.headers["Idempotency-Key"] = str(uuid.uuid4())
        if request.method == "POST" and (path == "/v1/cases" or path.endswith("/items")):
            body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
            try:
                items = len(json.loads(body)["items"])
            except (ValueError, KeyError, TypeError):
                return request
            offer = requests.get(f"{self.base_url}/v1/challenge", timeout=10).json()
            binding = binding_of("POST", path, request.headers.get("Idempotency-Key", ""), body)
            nonce = solve(offer["challenge"], binding, offer["work"] + offer["work_per_item"] * items)
            request.headers["Proof-Of-Work"] = f"{offer['challenge']};{nonce}"
        return request


@pytest.fixture(scope="module")
def session(shared_server: ServerHandle) -> requests.Session:
    keys = shared_server.storage.add_platform(f"schemathesis-{uuid.uuid4().hex[:8]}", [])
    with requests.Session() as http:
        http.auth = Helpful(
            shared_server.url,
            {"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key},
        )
        yield http


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_answer_is_documented_and_none_is_a_500(case, shared_server: ServerHandle, session) -> None:
    CALLS[case.operation.label] = CALLS.get(case.operation.label, 0) + 1
    case.call_and_validate(base_url=shared_server.url, session=session, checks=CHECKS, timeout=30)
