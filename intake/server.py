"""Running the service: in the foreground (``takeback intake serve``) or in a background thread on loopback
(the desktop app's demo mode and the tests)."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .connections import OncePerMinute, configure_workers, guarded_protocol
from .settings import Settings
from .storage import Storage

__all__ = ["ServerHandle", "serve", "serve_in_thread", "worker_app"]

log = logging.getLogger("intake")


def _silence_access_log() -> None:
    """The access log would record client addresses and paths with case numbers: switch it off for good.

    ``access_log=False`` alone only detaches handlers, which a later logging set-up can undo; a disabled
    logger drops records whatever handlers it gets.
    """
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True


def _quiet_logs() -> None:
    """Under abuse, one line per kind of event per minute, never a traceback per socket."""
    for name in ("uvicorn.error", "asyncio", "intake"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerMinute) for f in logger.filters):
            logger.addFilter(OncePerMinute())


#: uvicorn's options, the same for one process or many.
_UVICORN_OPTIONS: dict[str, object] = {
    "access_log": False,
    "log_config": None,
    "ws": "none",
    "lifespan": "on",
    "server_header": False,
    "proxy_headers": False,
    "timeout_graceful_shutdown": 5,
    "h11_max_incomplete_event_size": 16 * 1024,
}
#: How ``serve(workers=N)`` hands its settings to the worker processes it spawns.
_WORKER_SETTINGS = "TAKEBACK_INTAKE_WORKER_SETTINGS"


def _config(settings: Settings, storage: Storage | None = None) -> uvicorn.Config:
    _silence_access_log()
    _quiet_logs()
    config = uvicorn.Config(
        create_app(settings, storage=storage),
        host=settings.host,
        port=settings.port,
        # h11 (not httptools) under our own protocol class: deadlines for headers and bodies, a bound on
        # connections, and JSON for the server's own refusals (connections.py).
        http=guarded_protocol(settings),
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type] - a float works
        **_UVICORN_OPTIONS,  # type: ignore[arg-type]
    )
    _silence_access_log()
    return config


def worker_app() -> FastAPI:
    """The app of one worker process of ``serve(settings, workers=N)`` (uvicorn imports it by name)."""
    settings = Settings(**json.loads(os.environ[_WORKER_SETTINGS]))
    _silence_access_log()
    _quiet_logs()
    configure_workers(settings)
    return create_app(settings)


@contextmanager
def _storage_for(settings: Settings) -> Iterator[Storage]:
    """A storage layer of its own for one check or migration, disposed of after."""
    storage = Storage(settings.database_url)
    try:
        yield storage
    finally:
        storage.dispose()


def _migrate(settings: Settings, storage: Storage | None) -> None:
    if storage is not None:
        storage.migrate()
        return
    with _storage_for(settings) as own:
        own.migrate()


def serve(settings: Settings, *, workers: int = 1) -> None:
    """Serve in the foreground until interrupted (Ctrl+C / SIGTERM).

    With ``workers`` above 1, uvicorn runs that many processes on one listening socket and restarts any that
    dies. Each has its own app and connection pool; everything they share (cases, idempotency answers,
    limits, the feed) is in the database, so N processes answer exactly as one does.

    Raises:
        IntakeError: the database cannot be served (checked once, before any worker starts).
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if workers == 1:
        uvicorn.Server(_config(settings)).run()
        return
    with _storage_for(settings) as storage:
        storage.check_schema()
    os.environ[_WORKER_SETTINGS] = json.dumps(asdict(settings))
    _silence_access_log()
    _quiet_logs()
    uvicorn.run(
        f"{__name__}:worker_app", factory=True, workers=workers, host=settings.host, port=settings.port,
        http="intake.connections:WorkerProtocol", timeout_keep_alive=settings.keep_alive_timeout,
        **_UVICORN_OPTIONS,
    )


@dataclass(frozen=True, slots=True)
class ServerHandle:
    """A running background server. ``url`` has no trailing slash; ``stop()`` waits for it to finish."""

    url: str
    _server: uvicorn.Server
    _thread: threading.Thread
    _socket: socket.socket

    @property
    def app(self):  # noqa: ANN201 - FastAPI, kept out of the signature to keep imports light
        return self._server.config.app

    @property
    def storage(self) -> Storage:
        """The running service's storage layer (e.g. to register a platform: ``storage.add_platform``)."""
        return self._server.config.app.state.storage

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError("the intake server did not stop in time")
        self._socket.close()  # uvicorn closes it too; a failed start leaves it to us

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve_in_thread(
    settings: Settings, *, storage: Storage | None = None, migrate: bool = True, start_timeout: float = 20.0
) -> ServerHandle:
    """Start the service in a daemon thread and return once it accepts connections.

    This is the embedded server (demo mode, tests), whose database is its own: unless ``migrate`` is False it
    first creates or upgrades the tables, which ``serve`` (the deployed service) never does.

    The socket is bound here (``settings.port`` 0 picks a free port), so the URL is known before the thread
    starts and no other process can take the port in between. ``storage`` shares an existing storage layer
    (the caller then disposes of it).

    Raises:
        RuntimeError: the server did not start within ``start_timeout`` seconds.
        IntakeError: the database cannot be served (see :func:`intake.create_app`).
    """
    if migrate:
        _migrate(settings, storage)
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((settings.host, settings.port))
        port = sock.getsockname()[1]
        server = uvicorn.Server(_config(replace(settings, port=port), storage))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="intake-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + start_timeout
        while thread.is_alive() and not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            server.should_exit = True
            thread.join(5)
            raise RuntimeError("the intake server did not start")
    except BaseException:
        sock.close()
        raise
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return ServerHandle(f"http://{host}:{port}", server, thread, sock)
