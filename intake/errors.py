"""Every error the intake service answers with: a stable code, an HTTP status and a sentence for a person.

Tree::

    IntakeError                     (root; status 500 unless a subclass says otherwise)
    ├── BadRequest                  400 malformed JSON, bad header, bad page token
    ├── InvalidRequest              422 the body or query does not follow the protocol
    ├── BodyTooLarge                413 the body is over the size limit (refused before it is read)
    ├── MissingCaseKey              401 no ``Authorization: Bearer`` header
    ├── CaseNotFound                404 unknown case number *or* wrong key (deliberately the same)
    ├── ProofOfWorkRequired         428 no proof of work, or not in the protocol's form
    ├── ProofOfWorkExpired          428 the challenge is too old; fetch a new one
    ├── ProofOfWorkInvalid          428 a challenge not issued here, or a nonce that does not meet it
    ├── RequestTimeout              408 the request's headers did not arrive in time
    ├── ServiceBusy                 503 every connection slot is taken
    ├── IdempotencyConflict         409 an idempotency key reused with a different body
    ├── CaseWithdrawn               409 new fingerprints for a withdrawn case
    ├── PlatformUnauthorised        401 platform keys missing or wrong
    ├── NotFound / MethodNotAllowed 404/405 no such endpoint
    ├── DatabaseUnavailable         at start-up: the database cannot be opened or created
    ├── DatabaseOutOfDate           at start-up: the database's schema is older (``takeback intake migrate``)
    └── DatabaseTooNew              at start-up: a newer release changed the database's schema

Messages never repeat what the request carried: no fingerprints, keys or case numbers.
"""

from __future__ import annotations

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


class IntakeError(Exception):
    """Root of the family; an unexpected server fault when raised as such."""

    status_code = 500
    code = "internal_error"
    default_message = "Something went wrong on the service. Nothing was changed; please try again later."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        """Extra response headers this error needs (``Retry-After``, ``WWW-Authenticate``)."""
        return {}

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(IntakeError):
    status_code = 400
    code = "bad_request"
    default_message = "The request could not be understood. Nothing was changed."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidRequest(IntakeError):
    status_code = 422
    code = "invalid_request"
    default_message = "The request does not follow the protocol. Nothing was changed."


class BodyTooLarge(IntakeError):
    status_code = 413
    code = "body_too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            f"The request is larger than the {limit_bytes // (1024 * 1024)} MiB the service accepts. "
            "Send the fingerprints in smaller batches. Nothing was changed."
        )


class MissingCaseKey(IntakeError):
    status_code = 401
    code = "missing_case_key"
    default_message = "This needs the case key (Authorization: Bearer <case key>). Nothing was changed."

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class CaseNotFound(IntakeError):
    status_code = 404
    code = "case_not_found"
    default_message = (
        "We could not find a case with that number and key. Check both and try again; "
        "hyphens and capital letters do not matter."
    )


class IdempotencyConflict(IntakeError):
    status_code = 409
    code = "idempotency_conflict"
    default_message = (
        "This request reuses an idempotency key with different content. "
        "Use a new idempotency key for new content. Nothing was changed."
    )


class CaseWithdrawn(IntakeError):
    status_code = 409
    code = "case_withdrawn"
    default_message = "This case was withdrawn, so it cannot take new fingerprints. Start a new case instead."


class PlatformUnauthorised(IntakeError):
    status_code = 401
    code = "platform_unauthorised"
    default_message = (
        "The platform keys are missing or wrong. Send Ocp-Apim-Subscription-Key and x-functions-key."
    )


class NotFound(IntakeError):
    status_code = 404
    code = "not_found"
    default_message = "There is no such address on this service."


class MethodNotAllowed(IntakeError):
    status_code = 405
    code = "method_not_allowed"
    default_message = "This address does not accept that method."


class ProofOfWorkRequired(IntakeError):
    status_code = 428
    code = "proof_of_work_required"
    default_message = (
        "Opening a case or adding fingerprints needs a proof of work (Proof-Of-Work header, see GET "
        "/v1/challenge). Nothing was changed."
    )


class ProofOfWorkExpired(ProofOfWorkRequired):
    code = "proof_of_work_expired"
    default_message = "The proof of work is for a challenge that has expired; get a new one. Nothing was changed."


class ProofOfWorkInvalid(ProofOfWorkRequired):
    code = "proof_of_work_invalid"
    default_message = "The proof of work does not meet its challenge, or the challenge is not ours. Nothing was changed."


class RequestTimeout(IntakeError):
    status_code = 408
    code = "request_timeout"
    default_message = "The request did not arrive in time, so the connection is closed. Nothing was changed."


class ServiceBusy(IntakeError):
    status_code = 503
    code = "service_busy"
    default_message = "The service is too busy to take this request. Nothing was changed; please try again soon."


class DatabaseUnavailable(IntakeError):
    """The service cannot start: its database cannot be reached, opened or set up."""

    code = "database_unavailable"

    def __init__(self, where: str) -> None:
        super().__init__(
            f"Cannot open the intake database at {where}. Check the address (--db or TAKEBACK_INTAKE_DB), "
            "that the server is running, and that the folder exists and is writable."
        )


class DatabaseOutOfDate(IntakeError):
    """The service cannot start: the database is empty or its schema is older than this release's."""

    code = "database_out_of_date"

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

    code = "database_too_new"

    def __init__(self, where: str, found: str, expected: str) -> None:
        self.found, self.expected = found, expected
        super().__init__(
            f"The intake database at {where} was changed by a newer version of the service (schema {found}; this "
            f"version knows up to {expected}). Run the newer version; this one leaves the database untouched."
        )
