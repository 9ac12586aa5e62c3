"""Demo mode: a throw-away intake service inside the app, on this computer, so anyone can try the journey.

The service listens on 127.0.0.1 only, keeps its SQLite database in a temporary folder, and both vanish when
the app closes. Nothing is sent anywhere else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["embedded_intake"]


@contextmanager
def embedded_intake() -> Iterator[str]:
    """Runs the intake service on a free loopback port for the duration of the ``with`` block; yields its URL."""
    from intake import Settings, serve_in_thread

    with tempfile.TemporaryDirectory(prefix="takeback-demo-") as folder:
        database = Path(folder) / "intake.sqlite3"
        handle = serve_in_thread(Settings(database_url=f"sqlite:///{database}", host="127.0.0.1", port=0))
        try:
            yield handle.url
        finally:
            handle.stop()
