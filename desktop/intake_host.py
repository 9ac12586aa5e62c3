"""Running our own intake service on this computer: the one module in ``desktop`` that imports ``intake``.

Two features need the service itself rather than a client of it: demo mode (``takeback gui --demo``, a
throw-away service inside the app) and ``takeback intake serve`` / ``migrate`` / ``add-platform``. Every other part of
``desktop`` talks to a service only through ``client_api``, as it would to one on another continent. This
module is imported only by the code of those two features, when they run, so the app and the other commands
never load FastAPI, SQLAlchemy or uvicorn.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intake import IntakeError, Settings, SignalType, Storage, load_settings, schema_head, serve, serve_in_thread

__all__ = [
    "IntakeError",
    "Settings",
    "SignalType",
    "Storage",
    "embedded_intake",
    "load_settings",
    "schema_head",
    "serve",
]


@contextmanager
def embedded_intake() -> Iterator[str]:
    """Demo mode: runs the service on a free loopback port for the ``with`` block and yields its URL.

    The service listens on 127.0.0.1 only and keeps its SQLite database in a temporary folder; both vanish
    when the block ends. Nothing is sent anywhere else.
    """
    with tempfile.TemporaryDirectory(prefix="takeback-demo-") as folder:
        database = Path(folder) / "intake.sqlite3"
        handle = serve_in_thread(Settings(database_url=f"sqlite:///{database}", host="127.0.0.1", port=0))
        try:
            yield handle.url
        finally:
            handle.stop()
