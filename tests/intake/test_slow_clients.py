"""Slow and idle sockets against the real server on loopback: deadlines, a connection bound, quiet logs.

Each test starts its own server with short deadlines, so the whole file takes seconds, not minutes.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest

from intake import ServerHandle, Settings, serve_in_thread

#: Part of the full run only (waits out real socket deadlines); the quick loop leaves it out.
pytestmark = pytest.mark.slow


@pytest.fixture
def strict(settings: Settings, db_url: str) -> Iterator[ServerHandle]:
    quick = replace(settings, header_timeout=1.5, body_timeout=2.5, keep_alive_timeout=1.0, max_connections=12)
    with serve_in_thread(quick) as handle:
        yield handle


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _drip_until_closed(sock: socket.socket, data: bytes, every: float, limit: float) -> tuple[float, bytes]:
    """Send ``data`` one byte per ``every`` seconds until the server hangs up; returns (seconds, answer)."""
    start = time.monotonic()
    sock.settimeout(every)
    answer = b""
    for byte in data:
        if time.monotonic() - start > limit:
            break
        try:
            sock.sendall(bytes([byte]))
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
        if not chunk:
            break
        answer += chunk
        while chunk:  # read the rest of the answer, then the close
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            answer += chunk
        break
    return time.monotonic() - start, answer


def test_headers_dripped_one_byte_at_a_time_are_cut_off(strict: ServerHandle) -> None:
    request = b"GET /v1/cases/ABC-DEF-GH23 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100 + b"\r\n\r\n"
    with _connect(strict.url) as sock:
        took, answer = _drip_until_closed(sock, request, every=0.5, limit=10)
    assert took < 4, "the header deadline did not fire"
    if answer:
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408")
        assert json.loads(body)["error"]["code"] == "request_timeout"


def test_a_body_dripped_one_byte_at_a_time_is_cut_off(strict: ServerHandle) -> None:
    head = (
        b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Idempotency-Key: 0123456789abcdef\r\nContent-Length: 2000\r\n\r\n"
    )
    with _connect(strict.url) as sock:
        sock.sendall(head)
        took, _answer = _drip_until_closed(sock, b"x" * 2000, every=0.5, limit=10)
    assert took < 5, "the body deadline did not fire"


def test_an_idle_connection_is_closed(strict: ServerHandle) -> None:
    with _connect(strict.url) as sock:
        sock.settimeout(8)
        start = time.monotonic()
        while sock.recv(1024):  # a 408 may come first; then the close
            pass
        assert time.monotonic() - start < 4


def test_idle_sockets_cannot_starve_real_requests(strict: ServerHandle) -> None:
    hogs = [_connect(strict.url) for _ in range(40)]
    try:
        for hog in hogs:
            hog.sendall(b"G")
        # Past the bound, new connections are turned away at once; once the hogs time out, service resumes.
        deadline = time.monotonic() + 8
        while True:
            try:
                response = httpx.get(f"{strict.url}/openapi.json", timeout=5)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                break
            if response is not None:
                assert response.status_code == 503
                assert response.json()["error"]["code"] == "service_busy"
            assert time.monotonic() < deadline, "real requests stayed starved"
            time.sleep(0.2)
    finally:
        for hog in hogs:
            hog.close()


def test_abuse_leaves_a_few_log_lines_not_one_per_socket(strict: ServerHandle, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(60):
        with _connect(strict.url) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            sock.settimeout(5)
            while sock.recv(65536):
                pass
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith(("uvicorn", "asyncio", "intake"))]
    assert len(lines) <= 2, [r.getMessage() for r in lines]
    assert all(r.exc_info is None for r in lines)
