"""Faults: the service killed with SIGKILL in the middle of creates, added items and withdrawals, on SQLite and
PostgreSQL, and the person's client killed between sending a case and hearing the answer.

Nothing acknowledged may be lost, nothing may be half-written, and the retry of a case whose answer never
arrived must not make a second case.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import bearer, create_body, idempotency_key, image_item, new_case_key, person_client

from intake import Settings
from intake.storage import case_hashes, cases, database_url, hash_records, idempotency

#: Part of the full run only (kills and restarts real service processes); the quick loop leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys
from intake import Settings, serve
serve(Settings(database_url=sys.argv[1], port=int(sys.argv[2]), secret_file=sys.argv[3], proof_of_work=1,
               proof_of_work_per_item=0))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The real service in its own process, so it can be killed like a crashed server."""

    def __init__(self, settings: Settings) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, settings.database_url, str(port), str(settings.secret_path())],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/v1/challenge", timeout=2).raise_for_status()
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.kill()
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@dataclass
class Acknowledged:
    """What the service confirmed to clients: these must all survive the crash."""

    cases: dict[str, tuple[str, int]] = field(default_factory=dict)  # number -> (key, confirmed item count)
    withdrawn: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _busy_client(url: str, worker: int, seen: Acknowledged, stop: threading.Event) -> None:
    """Creates cases, adds items to them and withdraws some, recording every answer it gets."""
    mine: list[str] = []
    step = 0
    with person_client(url, timeout=10) as client:
        while not stop.is_set():
            step += 1
            tag = f"{worker}-{step}-{uuid.uuid4().hex[:8]}"
            try:
                if not mine or step % 3 == 1:
                    key = new_case_key()
                    body = create_body([image_item(f"{tag}-{i}") for i in range(3)], key)
                    answer = client.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()})
                    if answer.status_code == 201:
                        number = answer.json()["case_number"]
                        with seen.lock:
                            seen.cases[number] = (key, answer.json()["item_count"])
                        mine.append(number)
                elif step % 3 == 2:
                    number = mine[-1]
                    key = seen.cases[number][0]
                    answer = client.post(f"/v1/cases/{number}/items", json={"items": [image_item(tag)]},
                                         headers={**bearer(key), "Idempotency-Key": idempotency_key()})
                    if answer.status_code == 200:
                        with seen.lock:
                            seen.cases[number] = (key, answer.json()["item_count"])
                else:
                    number = mine.pop(0)
                    key = seen.cases[number][0]
                    answer = client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key))
                    if answer.status_code == 200:
                        with seen.lock:
                            seen.withdrawn.add(number)
            except httpx.TransportError:
                time.sleep(0.05)  # the service is down; a real client retries later


def _check_whole(url: str, settings: Settings, seen: Acknowledged) -> None:
    with person_client(url, timeout=30) as client:
        for number, (key, items) in seen.cases.items():
            status = client.get(f"/v1/cases/{number}", headers=bearer(key))
            assert status.status_code == 200, f"an acknowledged case was lost: {status.text}"
            assert status.json()["item_count"] >= items, "acknowledged items were lost"
            if number in seen.withdrawn:
                assert status.json()["state"] == "withdrawn", "an acknowledged withdrawal was lost"
    engine = sa.create_engine(database_url(settings.database_url))
    try:
        with engine.connect() as conn:
            # Nothing half-written: every case holds exactly the fingerprints its counts say (each item here has
            # 3 distinct ones), every hash record belongs to a case, every create's answer is a stored case.
            links = dict(conn.execute(sa.select(case_hashes.c.case_id, sa.func.count()).group_by(case_hashes.c.case_id)).all())
            for case_id, item_count, fingerprints in conn.execute(
                sa.select(cases.c.id, cases.c.item_count, cases.c.fingerprint_count)
            ):
                assert fingerprints == 3 * item_count == links.get(case_id, 0)
            orphans = conn.execute(
                sa.select(sa.func.count()).select_from(hash_records).where(
                    ~hash_records.c.id.in_(sa.select(case_hashes.c.hash_id))
                )
            ).scalar_one()
            assert orphans == 0
            numbers = set(conn.execute(sa.select(cases.c.case_number)).scalars())
            for response in conn.execute(sa.select(idempotency.c.response).where(idempotency.c.scope == "create")).scalars():
                assert json.loads(response)["case_number"].replace("-", "") in numbers
    finally:
        engine.dispose()


@pytest.fixture
def own_settings(settings: Settings, db_url: str) -> Iterator[Settings]:
    yield settings


def test_kill_9_during_creates_items_and_withdrawals_loses_nothing_acknowledged(own_settings: Settings) -> None:
    seen = Acknowledged()
    for _round in range(3):
        service = Service(own_settings)
        stop = threading.Event()
        workers = [threading.Thread(target=_busy_client, args=(service.url, i, seen, stop)) for i in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(1.5)
        service.kill()  # in the middle of whatever the four clients were doing
        stop.set()
        for worker in workers:
            worker.join(30)
        service = Service(own_settings)
        try:
            _check_whole(service.url, own_settings, seen)
        finally:
            service.kill()
    assert len(seen.cases) >= 3 and seen.withdrawn, "the clients did too little for the test to mean anything"


CLIENT = """
import os, signal, sys
import httpx
from client_api import ImageItem, IntakeClient, PdqEntry, Program

class DiesOnTheAnswer(httpx.HTTPTransport):
    # The service has answered the case; the client process dies before it reads a byte of the answer.
    def handle_request(self, request):
        response = super().handle_request(request)
        if request.method == "POST" and sys.argv[4] == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        return response

items = [ImageItem(md5="1" * 32, sha256="2" * 64, pdq=(PdqEntry("3" * 64, 90),))]
with IntakeClient(sys.argv[1], transport=DiesOnTheAnswer()) as client:
    status = client.create_case(Program.ADULT, items, case_key=sys.argv[2], idempotency_key=sys.argv[3])
print(status.case_number)
"""


def test_a_client_killed_before_hearing_the_answer_makes_one_case_on_retry(own_settings: Settings) -> None:
    from client_api import new_case_key as device_key
    from client_api import new_idempotency_key

    service = Service(own_settings)
    try:
        key, idempotency = device_key(), new_idempotency_key()
        run = [sys.executable, "-c", CLIENT, service.url, key, idempotency]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        died = subprocess.run([*run, "die"], cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert died.returncode == -signal.SIGKILL and died.stdout == b""
        retried = subprocess.run([*run, "live"], cwd=ROOT, env=env, capture_output=True, timeout=60, check=True)
        number = retried.stdout.decode().strip()
    finally:
        service.kill()
    engine = sa.create_engine(database_url(own_settings.database_url))
    try:
        with engine.connect() as conn:
            assert list(conn.execute(sa.select(cases.c.case_number)).scalars()) == [number.replace("-", "")]
    finally:
        engine.dispose()
