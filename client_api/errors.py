"""Why talking to the intake service, or reading a bundle, did not work, in words a frightened person can act on.

Every class here is an environment fault (offline, wrong address, a refused request, a damaged file): the caller
shows ``str(error)`` to the person and keeps their fingerprints, case number and key. Our own bugs are not
caught as these, and API misuse raises ``ValueError``/``TypeError``. Messages never contain a case key, a
fingerprint, a file name or a path. Each class has a stable machine ``code`` (a ``ClientErrorCode``) for
``--json`` output and the app.

    ClientError                    code                  (the root itself is never raised: ``error`` is its fallback)
    ├── ServiceUnavailable         unavailable           offline, the service is down, or it took too long
    ├── InsecureConnection         insecure              http:// to anything but this computer
    ├── InvalidServiceAddress      bad_address           not a web address we can use
    ├── UntrustedCertificate       untrusted_certificate the service's identity could not be checked
    ├── UnexpectedResponse         unexpected_response   the answer is not the intake protocol (wrong address?)
    ├── CaseNotFound               case_not_found        wrong case number or wrong key (one message for both)
    ├── TooManyAttempts            too_many_attempts     the service asks us to wait (carries retry_after)
    ├── RequestRejected            rejected              any other 4xx, with the service's own message
    │   └── CaseWithdrawn          case_withdrawn        the case was withdrawn and takes no new fingerprints
    ├── ServerError                server_error          5xx after the retries
    ├── IncompleteSubmission       incomplete            the case exists but some fingerprints are still unsent
    ├── Cancelled                  cancelled             the person stopped sending before anything arrived
    ├── InvalidCaseNumber          bad_case_number       typed case number is malformed or mistyped
    ├── InvalidCaseKey             bad_case_key          typed case key is malformed
    ├── BundleError                bad_bundle            an offline bundle could not be read or written
    └── KeystoreUnavailable        keystore_unavailable  this computer's keyring cannot be used
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from .models import CaseCredentials

__all__ = [
    "BundleError",
    "Cancelled",
    "CaseNotFound",
    "CaseWithdrawn",
    "ClientError",
    "ClientErrorCode",
    "IncompleteSubmission",
    "InsecureConnection",
    "InvalidCaseKey",
    "InvalidCaseNumber",
    "InvalidServiceAddress",
    "KeystoreUnavailable",
    "RequestRejected",
    "ServerError",
    "ServiceUnavailable",
    "TooManyAttempts",
    "UnexpectedResponse",
    "UntrustedCertificate",
]


class ClientErrorCode(enum.StrEnum):
    """Every ``code`` a client error can carry; the values are what ``--json`` output shows (see the tree above)."""

    ERROR = "error"
    UNAVAILABLE = "unavailable"
    INSECURE = "insecure"
    BAD_ADDRESS = "bad_address"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    UNEXPECTED_RESPONSE = "unexpected_response"
    CASE_NOT_FOUND = "case_not_found"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    REJECTED = "rejected"
    CASE_WITHDRAWN = "case_withdrawn"
    SERVER_ERROR = "server_error"
    INCOMPLETE = "incomplete"
    CANCELLED = "cancelled"
    BAD_CASE_NUMBER = "bad_case_number"
    BAD_CASE_KEY = "bad_case_key"
    BAD_BUNDLE = "bad_bundle"
    KEYSTORE_UNAVAILABLE = "keystore_unavailable"


class ClientError(Exception):
    """Something outside our code stopped a request or a bundle. Nothing the person made is lost."""

    code: ClientErrorCode = ClientErrorCode.ERROR
    default_message = "Something went wrong while talking to the service. Your fingerprints are kept; try again."

    #: A message with fields keeps its English ``template`` and its ``params`` apart, so the app can translate
    #: the template and fill the fields in; ``str(error)`` is the English sentence. ``None`` for a fixed message.
    template: str | None = None
    params: Mapping[str, object] = MappingProxyType({})

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @classmethod
    def from_template(cls, template: str, /, **params: object) -> Self:
        """The error whose message is ``template`` (a whole English sentence) with ``params`` filled in."""
        error = cls()
        error._fill(template, **params)
        return error

    def _fill(self, template: str, /, **params: object) -> None:
        self.template, self.params = template, MappingProxyType(params)
        self.args = (template.format(**params),)

    @property
    def message(self) -> str:
        return str(self.args[0])


class ServiceUnavailable(ClientError):
    code = ClientErrorCode.UNAVAILABLE
    default_message = "We could not reach the service. Your fingerprints are kept; try again when you are online."


class InsecureConnection(ClientError):
    code = ClientErrorCode.INSECURE
    default_message = (
        "This service address starts with http://, which is not private: anyone on the network could read "
        "what is sent. Use an address that starts with https:// instead."
    )


class InvalidServiceAddress(ClientError):
    code = ClientErrorCode.BAD_ADDRESS
    default_message = (
        "This is not a service address Takeback can use. It should look like https://example.org. "
        "Check it and try again."
    )


class UntrustedCertificate(ClientError):
    code = ClientErrorCode.UNTRUSTED_CERTIFICATE
    default_message = (
        "We could not confirm that this service is who it says it is, so nothing was sent. Check the address. "
        "If you use a public or work network, it may be interfering; try again on another network."
    )


class UnexpectedResponse(ClientError):
    code = ClientErrorCode.UNEXPECTED_RESPONSE
    default_message = (
        "The service gave an answer Takeback does not understand. Check that the service address is right. "
        "Your fingerprints are kept; try again later."
    )


class CaseNotFound(ClientError):
    # One message for an unknown number and a wrong key: the service cannot tell them apart either, on purpose.
    code = ClientErrorCode.CASE_NOT_FOUND
    default_message = (
        "We could not find a case with this case number and key. Check both and try again; "
        "capital letters and dashes do not matter."
    )


_WAIT_A_WHILE_MESSAGE = "There were too many attempts for this case. Wait a while, then try again. Your case is safe."
_WAIT_A_MINUTE_MESSAGE = "There were too many attempts for this case. Wait a minute, then try again. Your case is safe."
_WAIT_MINUTES_TEMPLATE = (
    "There were too many attempts for this case. Wait about {minutes} minutes, then try again. Your case is safe."
)


class TooManyAttempts(ClientError):
    code = ClientErrorCode.TOO_MANY_ATTEMPTS

    def __init__(self, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        if retry_after is None or retry_after <= 0:
            super().__init__(_WAIT_A_WHILE_MESSAGE)
        elif retry_after < 90:
            super().__init__(_WAIT_A_MINUTE_MESSAGE)
        else:
            super().__init__()
            self._fill(_WAIT_MINUTES_TEMPLATE, minutes=round(retry_after / 60))


_NOTHING_CHANGED = "Nothing was changed."
_NO_REASON_MESSAGE = "The service did not accept this request. It gave no reason. Nothing was changed."
_REASON_CHANGED_TEMPLATE = "The service did not accept this request. {reason} Nothing was changed."
_REASON_TEMPLATE = "The service did not accept this request. {reason}"


class RequestRejected(ClientError):
    """The service refused the request (a 4xx) and said why; ``status`` and ``server_code`` are for programs."""

    code = ClientErrorCode.REJECTED

    def __init__(self, status: int, server_code: str | None = None, server_message: str | None = None) -> None:
        self.status = status
        self.server_code = server_code
        reason = (server_message or "").strip()
        if reason and not reason.endswith((".", "!", "?")):
            reason += "."
        super().__init__(_NO_REASON_MESSAGE)
        if reason:  # the service's own words stay the service's; the intake service's already say nothing changed
            self._fill(_REASON_TEMPLATE if reason.endswith(_NOTHING_CHANGED) else _REASON_CHANGED_TEMPLATE,
                       reason=reason)


class CaseWithdrawn(RequestRejected):
    code = ClientErrorCode.CASE_WITHDRAWN

    def __init__(self, status: int = 409, server_code: str | None = "case_withdrawn", server_message: str | None = None) -> None:
        super().__init__(status, server_code, server_message)
        self.args = (
            "This case was withdrawn, so it cannot take new fingerprints. You can start a new case instead.",
        )


class ServerError(ClientError):
    code = ClientErrorCode.SERVER_ERROR
    default_message = (
        "The service has a problem at the moment. Your fingerprints are kept; try again later."
    )


_INCOMPLETE_TEMPLATE = (
    "Your case was opened, but only {sent} of {total} files' fingerprints reached it. "
    "Keep your case number and key; try again when you are online to send the rest."
)


class IncompleteSubmission(ClientError):
    """The case was opened but not every fingerprint reached it; ``credentials`` let the caller finish later.

    Retrying ``create_case`` with the same items and idempotency key finishes the job without a second case.
    """

    code = ClientErrorCode.INCOMPLETE

    def __init__(self, credentials: CaseCredentials, sent: int, total: int) -> None:
        self.credentials = credentials
        self.sent = sent
        self.total = total
        super().__init__()
        self._fill(_INCOMPLETE_TEMPLATE, sent=sent, total=total)


class Cancelled(ClientError):
    code = ClientErrorCode.CANCELLED
    default_message = "Sending was stopped. Your fingerprints are kept; you can send them again whenever you like."


class InvalidCaseNumber(ClientError):
    code = ClientErrorCode.BAD_CASE_NUMBER
    default_message = (
        "This case number does not look right. It has 10 letters and digits, like ABC-DEF-GH23. "
        "Check it and type it again."
    )


class InvalidCaseKey(ClientError):
    code = ClientErrorCode.BAD_CASE_KEY
    default_message = (
        "This case key does not look right. It has 26 letters and digits, in groups like ABCDE-FGHJK-... "
        "Check it and type it again."
    )


class BundleError(ClientError):
    code = ClientErrorCode.BAD_BUNDLE
    default_message = (
        "This file is not a Takeback fingerprint file, or it is damaged. Save the fingerprints again "
        "from the original photos and videos."
    )


class KeystoreUnavailable(ClientError):
    code = ClientErrorCode.KEYSTORE_UNAVAILABLE
    default_message = (
        "This computer's password store (keyring) cannot be used, so the case was not remembered. "
        "Write down your case number and key and keep them somewhere safe."
    )
