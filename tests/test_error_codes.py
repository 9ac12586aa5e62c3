"""Each package's error codes: one ``StrEnum`` per package, values that never change, and a tree that lists them all.

The values travel in ``--json`` output and, for ``intake``, in every error answer; programs and platforms match
on them, so the lists below are pinned on purpose. Adding a code means adding it here, to the enum and to the
tree in the package's ``errors.py`` docstring.
"""

from __future__ import annotations

import enum
import inspect
import re
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import client_api.errors
import hashing.errors
import intake.errors

PINNED = {
    hashing.errors: (hashing.errors.HashingErrorCode, {
        "error", "not_found", "not_a_file", "unreadable", "empty", "changed", "unsupported", "corrupt", "too_large",
        "invalid_tmk", "cancelled",
    }),
    client_api.errors: (client_api.errors.ClientErrorCode, {
        "error", "unavailable", "insecure", "bad_address", "untrusted_certificate", "unexpected_response",
        "case_not_found", "too_many_attempts", "rejected", "case_withdrawn", "server_error", "incomplete",
        "cancelled", "bad_case_number", "bad_case_key", "bad_bundle", "keystore_unavailable",
    }),
    intake.errors: (intake.errors.IntakeErrorCode, {
        "internal_error", "bad_request", "malformed_json", "malformed_http", "bad_content_length",
        "missing_idempotency_key", "invalid_idempotency_key", "invalid_page_token", "invalid_request",
        "body_too_large", "missing_case_key", "case_not_found", "proof_of_work_required", "proof_of_work_expired",
        "proof_of_work_invalid", "request_timeout", "service_busy", "idempotency_conflict",
        "case_withdrawn", "platform_unauthorised", "not_found", "method_not_allowed", "database_unavailable",
        "database_out_of_date", "database_too_new",
    }),
}
MODULES = list(PINNED)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_codes_are_a_str_enum_with_the_pinned_values(module: ModuleType) -> None:
    codes, pinned = PINNED[module]
    assert issubclass(codes, enum.StrEnum)
    assert {code.value for code in codes} == pinned


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_error_class_carries_a_code_of_its_package(module: ModuleType) -> None:
    codes, _ = PINNED[module]
    errors = [cls for _, cls in inspect.getmembers(module, inspect.isclass) if issubclass(cls, Exception)]
    assert errors
    for cls in errors:
        assert isinstance(cls.code, codes), cls


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_the_docstring_tree_lists_every_code(module: ModuleType) -> None:
    codes, _ = PINNED[module]
    tree = module.__doc__ or ""
    listed = {code for code in codes if re.search(rf"(?<![\w<]){re.escape(code.value)}(?!\w)", tree)}
    assert listed == set(codes), f"add to the tree in {module.__name__}: {sorted(set(codes) - listed)}"


def test_codes_reach_json_as_their_plain_values() -> None:
    body = intake.errors.BadRequest(code=intake.errors.IntakeErrorCode.MALFORMED_JSON).as_json()
    assert type(body["error"]["code"]) is str and body["error"]["code"] == "malformed_json"


def test_intake_passes_no_code_as_a_bare_string() -> None:
    """A literal ``code="..."`` would bypass the enum (and the tree): every code is an ``IntakeErrorCode``."""
    package = Path(intake.__file__).parent
    for path in package.glob("*.py"):
        assert not re.search(r"code\s*=\s*f?[\"']", path.read_text(encoding="utf-8")), path.name


def test_a_body_that_is_not_utf8_is_malformed_json(intake_server) -> None:
    """The one framework error besides 404/405 that reaches the service's handler: to the protocol, not JSON."""
    response = httpx.post(f"{intake_server.url}/v1/cases", content=b'{"program": "\xff"}',
                          headers={"Content-Type": "application/json", "Idempotency-Key": "abcdefgh12"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
