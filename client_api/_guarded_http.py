"""What a hostile or broken service cannot make the client do: wait for ever, or take in an answer of any size.

httpx's timeouts bound each socket operation, not a whole request: a server that sends one byte every few
seconds never trips a 30-second read timeout and holds the caller for as long as it likes. So every socket
operation here also gets no more than what is left of the request's deadline (``DeadlineBackend``, installed
under httpx's connection pool through httpcore's public network-backend interface).

Answers are read as a stream and refused as soon as they pass ``MAX_ANSWER_BYTES`` after decompression: a
971 KB gzip answer unpacked without a limit took the client to 2 GB. The client asks for no compression, but a
server may send gzip or deflate anyway; those are inflated here 64 KiB at a time (httpx would inflate each whole
network read at once, up to a thousand times its size), and any other encoding is refused.
"""

from __future__ import annotations

import contextlib
import threading
import time
import typing
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpcore
import httpx

__all__ = [
    "MAX_ANSWER_BYTES",
    "Answer",
    "AnswerTooLarge",
    "DeadlineBackend",
    "DeadlineExpired",
    "UnreadableAnswer",
    "read_answer",
]

# zlib window bits: 47 reads a gzip or zlib header, whichever is there; 15 is zlib ("deflate" as HTTP means it).
_WINDOW_BITS = {"gzip": 47, "x-gzip": 47, "deflate": 15}
_INFLATE_STEP = 64 * 1024

#: A case's status is a few hundred bytes; this leaves room for thousands of platform reports.
MAX_ANSWER_BYTES = 1024 * 1024


class AnswerTooLarge(Exception):
    """The answer is (or says it is) larger than :data:`MAX_ANSWER_BYTES`."""


class UnreadableAnswer(Exception):
    """The answer's body is compressed in a way we do not read, or its compressed data is broken."""


class DeadlineExpired(Exception):
    """The request's deadline passed while it was connecting, sending or receiving."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete answer from the service: status, headers and the (decompressed) body."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> typing.Any:
        import json

        return json.loads(self.content)


def read_answer(response: httpx.Response, deadline: float) -> Answer:
    """Read a streamed response whole, refusing it past the size limit or the deadline (``time.monotonic``).

    Raises:
        AnswerTooLarge: ``Content-Length`` or the decompressed body is over :data:`MAX_ANSWER_BYTES`.
        UnreadableAnswer: compressed with anything but gzip or deflate, or the compressed data is broken.
        DeadlineExpired: the deadline passed while the body was arriving.
        httpx.HTTPError: the connection failed.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise AnswerTooLarge()
    if response.is_stream_consumed:  # made whole in memory by a test transport: nothing is left to arrive
        if len(response.content) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge()
        return Answer(response.status_code, response.headers, response.content)
    chunks: list[bytes] = []
    received = 0
    for chunk in _inflated(response.iter_raw(), response.headers.get("Content-Encoding", "identity")):
        received += len(chunk)
        if received > MAX_ANSWER_BYTES:
            raise AnswerTooLarge()
        if time.monotonic() > deadline:
            raise DeadlineExpired()
        chunks.append(chunk)
    return Answer(response.status_code, response.headers, b"".join(chunks))


def _inflated(raw: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        yield from raw
        return
    if encoding not in _WINDOW_BITS:
        raise UnreadableAnswer(f"Content-Encoding {encoding!r}")
    inflater = zlib.decompressobj(_WINDOW_BITS[encoding])
    try:
        for data in raw:
            while data:
                yield inflater.decompress(data, _INFLATE_STEP)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise UnreadableAnswer("broken compressed data") from exc


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket layer with one more limit: no operation outlives the current request's deadline.

    The deadline is per thread (a client's calls block the thread that makes them); outside :meth:`deadline`
    the configured timeouts apply unchanged.
    """

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self._local = threading.local()

    @contextlib.contextmanager
    def deadline(self, at: float) -> Iterator[None]:
        """Bound every socket operation in the block to end by ``at`` (``time.monotonic``)."""
        self._local.at = at
        try:
            yield
        finally:
            self._local.at = None

    def expired(self) -> bool:
        at = getattr(self._local, "at", None)
        return at is not None and time.monotonic() >= at

    def bounded(self, timeout: float | None, error: type[Exception]) -> float | None:
        at = getattr(self._local, "at", None)
        if at is None:
            return timeout
        remaining = at - time.monotonic()
        if remaining <= 0:
            raise error("the request's deadline has passed")
        return remaining if timeout is None else min(timeout, remaining)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, self.bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream, self)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(path, self.bounded(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._backend.bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded), self._backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)
