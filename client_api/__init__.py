"""Talks to the intake service: cases, status, withdrawal, offline bundles. No Qt, and no hashing: it takes
fingerprints as ``ImageItem``/``VideoItem`` and sends only those (docs/protocol.md).

The keyring helpers live in ``client_api.keystore`` and are imported only by code the person asked to remember
a case; importing ``client_api`` never touches the keyring.
"""

from ._wire import status_to_json
from .bundle import Bundle, load_bundle, save_bundle
from .client import (
    DEFAULT_TIMEOUT,
    MASKED_CASE_KEY,
    IntakeClient,
    RetryPolicy,
    is_loopback_host,
    new_idempotency_key,
    payload_preview,
)
from .errors import (
    BundleError,
    Cancelled,
    CaseNotFound,
    CaseWithdrawn,
    ClientError,
    ClientErrorCode,
    IncompleteSubmission,
    InsecureConnection,
    InvalidCaseKey,
    InvalidCaseNumber,
    InvalidServiceAddress,
    KeystoreUnavailable,
    RequestRejected,
    ServerError,
    ServiceUnavailable,
    TooManyAttempts,
    UnexpectedResponse,
    UntrustedCertificate,
)
from .keys import format_case_key, new_case_key, normalise_case_key, normalise_case_number
from .models import (
    CaseCredentials,
    CaseState,
    CaseStatus,
    Feedback,
    FeedbackValue,
    ImageItem,
    Item,
    PdqEntry,
    Program,
    VideoItem,
    VpdqEntry,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MASKED_CASE_KEY",
    "Bundle",
    "BundleError",
    "Cancelled",
    "CaseCredentials",
    "CaseNotFound",
    "CaseState",
    "CaseStatus",
    "CaseWithdrawn",
    "ClientError",
    "ClientErrorCode",
    "Feedback",
    "FeedbackValue",
    "ImageItem",
    "IncompleteSubmission",
    "InsecureConnection",
    "IntakeClient",
    "InvalidCaseKey",
    "InvalidCaseNumber",
    "InvalidServiceAddress",
    "Item",
    "KeystoreUnavailable",
    "PdqEntry",
    "Program",
    "RequestRejected",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailable",
    "TooManyAttempts",
    "UnexpectedResponse",
    "UntrustedCertificate",
    "VideoItem",
    "VpdqEntry",
    "format_case_key",
    "is_loopback_host",
    "load_bundle",
    "new_case_key",
    "new_idempotency_key",
    "normalise_case_key",
    "normalise_case_number",
    "payload_preview",
    "save_bundle",
    "status_to_json",
]
