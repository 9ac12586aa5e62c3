"""A recording TCP proxy on loopback: what the client really sends, byte for byte, to a real server.

Sits between the client and the real intake server. It keeps every byte the client sends (request lines,
headers, bodies) so privacy tests can search them, and it can drop the server's answers on the first
connections after the server has handled them, which is what a network that fails after sending looks like.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["RecordedRequest", "RecordingProxy"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    target: str
    headers: dict[str, str]  # names in lower case
    body: bytes


def _parse_requests(stream: bytes) -> list[RecordedRequest]:
    """Split one connection's bytes into HTTP/1.1 requests (the client sends Content-Length, never chunks)."""
    found = []
    while stream:
        head, separator, rest = stream.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a request was cut off")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "transfer-encoding" in headers:
            raise ValueError("chunked requests are not expected from the client")
        length = int(headers.get("content-length", "0"))
        found.append(RecordedRequest(method, target, headers, rest[:length]))
        stream = rest[length:]
    return found


class RecordingProxy:
    """Forwards ``127.0.0.1:<port>`` to ``upstream_url``'s host and port.

    Args:
        upstream_url: the real server, e.g. the ``intake_server`` fixture's ``url``.
        drop_answers: on this many first connections, read the server's answer and then close the client's
            connection without passing it on (the request was handled; the client never hears back).
        drop_after: drop only an answer that comes after the client sent these bytes on that connection (e.g.
            ``b"POST "``: the proof-of-work challenge fetched first on the same connection still gets through).
    """

    def __init__(self, upstream_url: str, *, drop_answers: int = 0, drop_after: bytes = b"") -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._drop_left = drop_answers
        self._drop_after = drop_after
        self._lock = threading.Lock()
        self._sent: list[bytearray] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.dropped = 0
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    # -- what was sent ------------------------------------------------------------------------------------

    @property
    def sent(self) -> bytes:
        """Every byte clients sent, all connections joined."""
        with self._lock:
            return b"".join(bytes(chunk) for chunk in self._sent)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request clients sent, parsed, in the order the connections opened."""
        with self._lock:
            streams = [bytes(chunk) for chunk in self._sent]
        return [request for stream in streams for request in _parse_requests(stream)]

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._sent)

    # -- running ------------------------------------------------------------------------------------------

    def __enter__(self) -> RecordingProxy:
        self._acceptor.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()
        self._acceptor.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                record = bytearray()
                self._sent.append(record)
                drop = self._drop_left > 0
                self._drop_left -= 1 if drop else 0
            thread = threading.Thread(target=self._relay, args=(client, record, drop), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, client: socket.socket, record: bytearray, drop: bool) -> None:
        upstream = socket.create_connection(self._upstream)
        answered = threading.Event()

        def client_to_server() -> None:
            try:
                while data := client.recv(65536):
                    with self._lock:
                        record.extend(data)
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    upstream.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        def server_to_client() -> None:
            try:
                while data := upstream.recv(65536):
                    with self._lock:
                        due = drop and self._drop_after in record
                    if due:
                        answered.set()
                        break
                    client.sendall(data)
            except OSError:
                pass
            finally:
                answered.set()

        forward = threading.Thread(target=client_to_server, daemon=True)
        backward = threading.Thread(target=server_to_client, daemon=True)
        forward.start()
        backward.start()
        if drop:
            answered.wait(30)
            with self._lock:
                self.dropped += 1
            # The server has answered, so it handled the request; the client hears only a closed connection.
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        forward.join(30)
        backward.join(30)
        client.close()
        upstream.close()
