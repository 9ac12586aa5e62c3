"""The connection layer under the app: deadlines, a bound on open connections, JSON refusals, quiet logs.

uvicorn alone keeps a connection open for as long as its client drips bytes (one every few seconds holds it
for ever), limits connections only by answering each extra *request* with plain text, and answers a malformed
request with a plain-text 400. Its h11 protocol class is subclassed here, which is the hook uvicorn offers
(``Config(http=...)``):

* a deadline for a request's headers, from the connection's first moment or the end of the previous answer;
* a deadline for its body, from the end of its headers (an application still reading gets a disconnect);
* at most ``max_connections`` open connections: the next is answered ``503 service_busy`` and closed at once,
  before it holds a file descriptor for long;
* the server's own 400 (not HTTP, a bad header, headers over 16 KiB) and 408 are JSON with a documented code;
* answers leave at once (``TCP_NODELAY``): asyncio sets it only on sockets it made itself, so on the sockets
  uvicorn and ``serve_in_thread`` bind, Nagle's algorithm held every answer's body until the client's delayed
  acknowledgement of its headers, about 40 ms per request on loopback.

What a client does after its request arrived (reading its answer slowly) is bounded by the keep-alive timeout
and the operating system's send buffer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import BadRequest, IntakeError, IntakeErrorCode, RequestTimeout, ServiceBusy
from .settings import Settings

__all__ = ["OncePerMinute", "WorkerProtocol", "configure_workers", "guarded_protocol"]

log = logging.getLogger("intake")


class OncePerMinute(logging.Filter):
    """Lets one record of each kind (logger, level, message template) through per ``interval`` seconds.

    The next one let through says how many were dropped in between. Tracebacks from the server and asyncio
    (a broken socket, a refused accept) are dropped: under abuse they are the same stack thousands of times.
    The service's own errors (an unexpected exception, logged without its message) all pass: they are bugs.
    """

    def __init__(self, interval: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "intake" and record.levelno >= logging.ERROR:
            return True  # a bug of ours (CrashShield: type and stack, no data): every one is worth seeing
        # asyncio puts the socket into the message itself, so only its first line names the kind.
        kind = (record.name, record.levelno, str(record.msg).partition("\n")[0][:200])
        now = self._clock()
        with self._lock:
            last, dropped = self._seen.get(kind, (None, 0))
            if last is not None and now - last < self._interval:
                self._seen[kind] = (last, dropped + 1)
                return False
            if len(self._seen) > 1000:
                self._seen.clear()
            self._seen[kind] = (now, 0)
        if dropped and isinstance(record.args, tuple):
            record.msg = f"{record.msg} (%d more like this since the last one)"
            record.args = (*record.args, dropped)
        if record.name != "intake":
            record.exc_info = None
            record.exc_text = None
        return True


def _raw_answer(error: IntakeError) -> bytes:
    body = json.dumps(error.as_json()).encode()
    head = [
        f"HTTP/1.1 {error.status_code} {HTTPStatus(error.status_code).phrase}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{name.lower()}: {value}" for name, value in error.headers().items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class _GuardedProtocol(H11Protocol):
    header_timeout: float
    body_timeout: float
    max_connections: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if len(self.connections) > self.max_connections:
            log.warning("a connection was turned away: all %d connection slots are taken", self.max_connections)
            self._refuse(ServiceBusy())
            return
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own answer is plain text; ours says the same in the protocol's form.
        self._refuse(BadRequest("The request is not valid HTTP/1.1. Nothing was changed.", code=IntakeErrorCode.MALFORMED_HTTP))

    # -- deadlines --------------------------------------------------------------------------------------------

    def _watch(self) -> None:
        """Keep one deadline running for the part of the request still awaited: its headers, or its body."""
        if self.transport.is_closing():
            self._stop_clock()
            return
        state = self.conn.their_state
        phase = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None
        if phase == self._phase:
            return
        self._stop_clock()
        self._phase = phase
        if phase is not None:
            seconds = self.header_timeout if phase == "headers" else self.body_timeout
            self._deadline = self.loop.call_later(seconds, self._deadline_passed)

    def _stop_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, None

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        log.warning("a request's %s did not arrive in time; its connection was closed", self._phase)
        if self._phase == "headers" and self.conn.our_state is h11.IDLE:
            self._refuse(RequestTimeout())
        else:
            self.transport.close()  # the application waiting for the body hears a disconnect

    def _refuse(self, error: IntakeError) -> None:
        self._stop_clock()
        self.transport.write(_raw_answer(error))
        self.transport.close()


def guarded_protocol(settings: Settings) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the settings' deadlines and connection bound."""
    return type(
        "IntakeProtocol",
        (_GuardedProtocol,),
        {
            "header_timeout": settings.header_timeout,
            "body_timeout": settings.body_timeout,
            "max_connections": settings.max_connections,
        },
    )


class WorkerProtocol(_GuardedProtocol):
    """The protocol of ``serve(workers=N)``'s processes, named by import path (a class made per settings
    cannot travel to a spawned process); each worker sets its limits with :func:`configure_workers`."""

    header_timeout = 10.0
    body_timeout = 60.0
    max_connections = 200


def configure_workers(settings: Settings) -> None:
    """Give this worker process's connections the settings' limits (uvicorn loads the app before any connects)."""
    WorkerProtocol.header_timeout = settings.header_timeout
    WorkerProtocol.body_timeout = settings.body_timeout
    WorkerProtocol.max_connections = settings.max_connections
