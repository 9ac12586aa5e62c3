"""The intake service: receives fingerprints, serves the platforms' hash list. Imports nothing of ours.

Run it with ``takeback intake serve``, embed it with :func:`serve_in_thread`, or build the ASGI app with
:func:`create_app` for any ASGI server.
"""

from .app import API_VERSION, create_app
from .errors import DatabaseOutOfDate, DatabaseTooNew, DatabaseUnavailable, IntakeError, IntakeErrorCode
from .identifiers import format_case_number, new_case_number, normalise_case_key, normalise_case_number
from .model import DEFAULT_SIGNAL_TYPES, CaseState, FeedbackValue, HashStatus, Program, SignalType
from .secrets_store import ScryptParams
from .server import ServerHandle, serve, serve_in_thread
from .settings import Settings, load_settings
from .storage import PlatformKeys, Storage
from .storage.migrate import head as schema_head

__all__ = [
    "API_VERSION",
    "DEFAULT_SIGNAL_TYPES",
    "DatabaseOutOfDate",
    "DatabaseTooNew",
    "DatabaseUnavailable",
    "CaseState",
    "FeedbackValue",
    "HashStatus",
    "IntakeError",
    "IntakeErrorCode",
    "PlatformKeys",
    "Program",
    "ScryptParams",
    "ServerHandle",
    "Settings",
    "SignalType",
    "Storage",
    "create_app",
    "format_case_number",
    "load_settings",
    "schema_head",
    "new_case_number",
    "normalise_case_key",
    "normalise_case_number",
    "serve",
    "serve_in_thread",
]
