"""The real service as separate operating-system processes (``takeback intake serve``), for multi-process tests."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class ServiceProcess:
    url: str
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the service exited: {process.stderr.read().decode() if process.stderr else ''}")
        if time.monotonic() > deadline:
            raise RuntimeError("the service did not become ready")
        time.sleep(0.1)


def secret_for(db_url: str) -> Path:
    """The server secret file of one test database: every process serving it shares it, as in production."""
    return Path(tempfile.gettempdir()) / f"takeback-test-{hashlib.sha256(db_url.encode()).hexdigest()[:16]}.secret"


def spawn_service(db_url: str, *extra: str) -> ServiceProcess:
    """``python -m desktop intake serve --db URL`` on a free loopback port (not yet ready), sharing the
    database's secret file, with a proof of work any first nonce meets."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "intake", "serve", "--db", db_url, "--port", str(port),
         "--secret-file", str(secret_for(db_url)), *extra],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO), "TAKEBACK_INTAKE_PROOF_OF_WORK": "1"},
    )
    return ServiceProcess(f"http://127.0.0.1:{port}", process)


def stop_service(process: subprocess.Popen) -> str:
    """Interrupt (as Ctrl+C does) and wait; returns what the process wrote to stderr."""
    if process.poll() is None:
        process.send_signal(2)  # SIGINT
    try:
        _out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    return (err or b"").decode()


@contextmanager
def service_processes(db_url: str, count: int) -> Iterator[list[ServiceProcess]]:
    """``count`` separate service processes on one (migrated) database, each on its own port."""
    started: list[ServiceProcess] = []
    try:
        for _ in range(count):
            started.append(spawn_service(db_url))
        for service in started:
            wait_until_ready(service.url, service.process)
        yield started
    finally:
        for service in started:
            stop_service(service.process)
