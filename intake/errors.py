"""Every error the intake service answers with: a stable code, an HTTP status and a sentence for a person.

Tree (``code`` is what ``{"error": {"code": ...}}`` carries, an ``IntakeErrorCode``)::

    IntakeError              500 internal_error          an unexpected fault (the root; CrashShield answers with it)
    ├── BadRequest           400 bad_request             the request could not be understood
    │                        400 malformed_json          the body is empty, not JSON, or not UTF-8
    │                        400 malformed_http          the request is not valid HTTP/1.1 (answered by the server itself)
    │                        400 bad_content_length      the Content-Length header is not a number
    │                        400 missing_idempotency_key a POST without its Idempotency-Key header
    │                        400 invalid_idempotency_key an Idempotency-Key that is not 8-128 of [A-Za-z0-9_-]
    │                        400 invalid_page_token      a nextPageToken the service did not give out
    ├── InvalidRequest       422 invalid_request         the body or query does not follow the protocol
    ├── BodyTooLarge         413 body_too_large          over the size limit (refused before it is read)
    ├── MissingCaseKey       401 missing_case_key        no ``Authorization: Bearer`` header
    ├── CaseNotFound         404 case_not_found          unknown case number *or* wrong key (deliberately the same)
    ├── ProofOfWorkRequired  428 proof_of_work_required  no proof of work, or not in the protocol's form
    │   ├── ProofOfWorkExpired 428 proof_of_work_expired the challenge is too old; fetch a new one
    │   └── ProofOfWorkInvalid 428 proof_of_work_invalid a challenge not issued here, or a nonce that does not meet it
    ├── RequestTimeout       408 request_timeout         the request's headers did not arrive in time
    ├── ServiceBusy          503 service_busy            every connection slot is taken
    ├── IdempotencyConflict  409 idempotency_conflict    an idempotency key reused with a different body
    ├── CaseWithdrawn        409 case_withdrawn          new fingerprints for a withdrawn case
    ├── PlatformUnauthorised 401 platform_unauthorised   platform keys missing or wrong
    ├── NotFound             404 not_found               no such endpoint
    ├── MethodNotAllowed     405 method_not_allowed      the endpoint does not take that method
    ├── DatabaseUnavailable      database_unavailable    at start-up: the database cannot be opened or created
    ├── DatabaseOutOfDate        database_out_of_date    at start-up: an older schema (``takeback intake migrate``)
    └── DatabaseTooNew           database_too_new        at start-up: a newer release changed the database's schema

Messages never repeat what the request carried: no fingerprints, keys or case numbers.
"""

from __future__ import annotations

import enum

__all__ = [
    "BadRequest",
    "BodyTooLarge",
    "DatabaseOutOfDate",
    "DatabaseTooNew",
    "DatabaseUnavailable",
    "CaseNotFound",
    "CaseWithdrawn",
    "IdempotencyConflict",
    "IntakeError",
    "IntakeErrorCode",
    "InvalidRequest",
    "MethodNotAllowed",
    "MissingCaseKey",
    "NotFound",
    "PlatformUnauthorised",
    "ProofOfWorkExpired",
    "ProofOfWorkInvalid",
    "ProofOfWorkRequired",
    "RequestTimeout",
    "ServiceBusy",
]


class IntakeErrorCode(enum.StrEnum):
    """What ``error.code`` says. The values are part of the protocol and never change.

    The ``database_*`` codes are only reported when the service starts, never in an answer.
    """

    INTERNAL_ERROR = "internal_error"
    BAD_REQUEST = "bad_request"
    MALFORMED_JSON = "malformed_json"
    MALFORMED_HTTP = "malformed_http"
    BAD_CONTENT_LENGTH = "bad_content_length"
    MISSING_IDEMPOTENCY_KEY = "missing_idempotency_key"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    INVALID_PAGE_TOKEN = "invalid_page_token"
    INVALID_REQUEST = "invalid_request"
    BODY_TOO_LARGE = "body_too_large"
    MISSING_CASE_KEY = "missing_case_key"
    CASE_NOT_FOUND = "case_not_found"
    PROOF_OF_WORK_REQUIRED = "proof_of_work_required"
    PROOF_OF_WORK_EXPIRED = "proof_of_work_expired"
    PROOF_OF_WORK_INVALID = "proof_of_work_invalid"
    REQUEST_TIMEOUT = "request_timeout"
    SERVICE_BUSY = "service_busy"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    CASE_WITHDRAWN = "case_withdrawn"
    PLATFORM_UNAUTHORISED = "platform_unauthorised"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    DATABASE_UNAVAILABLE = "database_unavailable"
    DATABASE_OUT_OF_DATE = "database_out_of_date"
    DATABASE_TOO_NEW = "database_too_new"


class IntakeError(Exception):
    """Root of the family; an unexpected server fault when raised as such."""

    status_code = 500
    code: IntakeErrorCode = IntakeErrorCode.INTERNAL_ERROR
    default_message = "Something went wrong on the service. Nothing was changed; please try again later."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """Extra response headers this error needs (``Retry-After``, ``WWW-Authenticate``)."""
        return {}

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code.value, "message": self.message}}


class BadRequest(IntakeError):
    status_code = 400
    code = IntakeErrorCode.BAD_REQUEST
    default_message = "The request could not be understood. Nothing was changed."

    def __init__(self, message: str | None = None, *, code: IntakeErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidRequest(IntakeError):
    status_code = 422
    code = IntakeErrorCode.INVALID_REQUEST
    default_message = "The request does not follow the protocol. Nothing was changed."


class BodyTooLarge(IntakeError):
    status_code = 413
    code = IntakeErrorCode.BODY_TOO_LARGE

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            f"The request is larger than the {limit_bytes // (1024 * 1024)} MiB the service accepts. "
            "Send the fingerprints in smaller batches. Nothing was changed."
        )


class MissingCaseKey(IntakeError):
    status_code = 401
    code = IntakeErrorCode.MISSING_CASE_KEY
    default_message = "This needs the case key (Authorization: Bearer <case key>). Nothing was changed."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class CaseNotFound(IntakeError):
    status_code = 404
    code = IntakeErrorCode.CASE_NOT_FOUND
    default_message = (
        "We could not find a case with that number and key. Check both and try again; "
        "hyphens and capital letters do not matter."
    )


class IdempotencyConflict(IntakeError):
    status_code = 409
    code = IntakeErrorCode.IDEMPOTENCY_CONFLICT
    default_message = (
        "This request reuses an idempotency key with different content. "
        "Use a new idempotency key for new content. Nothing was changed."
    )


class CaseWithdrawn(IntakeError):
    status_code = 409
    code = IntakeErrorCode.CASE_WITHDRAWN
    default_message = "This case was withdrawn, so it cannot take new fingerprints. Start a new case instead."


class PlatformUnauthorised(IntakeError):
    status_code = 401
    code = IntakeErrorCode.PLATFORM_UNAUTHORISED
    default_message = (
        "The platform keys are missing or wrong. Send Ocp-Apim-Subscription-Key and x-functions-key."
    )


class NotFound(IntakeError):
    status_code = 404
    code = IntakeErrorCode.NOT_FOUND
    default_message = "There is no such address on this service."


class MethodNotAllowed(IntakeError):
    status_code = 405
    code = IntakeErrorCode.METHOD_NOT_ALLOWED
    default_message = "This address does not accept that method."


class ProofOfWorkRequired(IntakeError):
    status_code = 428
    code = IntakeErrorCode.PROOF_OF_WORK_REQUIRED
    default_message = (
        "Opening a case or adding fingerprints needs a proof of work (Proof-Of-Work header, see GET "
        "/v1/challenge). Nothing was changed."
    )


class ProofOfWorkExpired(ProofOfWorkRequired):
    code = IntakeErrorCode.PROOF_OF_WORK_EXPIRED
    default_message = "The proof of work is for a challenge that has expired; get a new one. Nothing was changed."


class ProofOfWorkInvalid(ProofOfWorkRequired):
    code = IntakeErrorCode.PROOF_OF_WORK_INVALID
    default_message = "The proof of work does not meet its challenge, or the challenge is not ours. Nothing was changed."


class RequestTimeout(IntakeError):
    status_code = 408
    code = IntakeErrorCode.REQUEST_TIMEOUT
    default_message = "The request did not arrive in time, so the connection is closed. Nothing was changed."


class ServiceBusy(IntakeError):
    status_code = 503
    code = IntakeErrorCode.SERVICE_BUSY
    default_message = "The service is too busy to take this request. Nothing was changed; please try again soon."


class DatabaseUnavailable(IntakeError):
    """The service cannot start: its database cannot be reached, opened or set up."""

    code = IntakeErrorCode.DATABASE_UNAVAILABLE

    def __init__(self, where: str) -> None:
        super().__init__(
            f"Cannot open the intake database at {where}. Check the address (--db or TAKEBACK_INTAKE_DB), "
            "that the server is running, and that the folder exists and is writable."
        )


class DatabaseOutOfDate(IntakeError):
    """The service cannot start: the database is empty or its schema is older than this release's."""

    code = IntakeErrorCode.DATABASE_OUT_OF_DATE

    def __init__(self, where: str, found: str | None, expected: str) -> None:
        self.found, self.expected = found, expected
        state = (
            "has no tables yet"
            if found is None
            else f"has an older schema (revision {found}; this service needs {expected})"
        )
        super().__init__(
            f"The intake database at {where} {state}. Back it up, run 'takeback intake migrate' with the same "
            "database, then start the service again."
        )


class DatabaseTooNew(IntakeError):
    """The service cannot start: a newer release changed the database's schema, and this one never downgrades."""

    code = IntakeErrorCode.DATABASE_TOO_NEW

    def __init__(self, where: str, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(
            f"The intake database at {where} was changed by a newer version of the service (schema {found}; this "
            f"version knows up to {expected}). Run the newer version; this one leaves the database untouched."
        )
