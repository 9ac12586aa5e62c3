"""Three ``takeback intake serve`` processes on one PostgreSQL database answer exactly as one.

The concurrency tests, replayed with each request going to another process: racing retries create one case,
parallel cases all land, wrong keys at any process never lock the owner out, and a platform paging the
feed from one process while two others write never misses a record.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import (
    assert_error,
    bearer,
    create_body,
    create_case,
    idempotency_key,
    image_item,
    new_case_key,
    person_client,
    postgres_schema,
)
from service_processes import ServiceProcess, service_processes, spawn_service, stop_service, wait_until_ready

from client_api.proof_of_work import ProofOfWork
from intake import Storage
from intake.storage import case_hashes, cases, database_url, hash_records

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # real service processes: full run only


@pytest.fixture(scope="module")
def database(postgres_url: str) -> Iterator[str]:
    with postgres_schema(postgres_url) as url:
        storage = Storage(url)
        storage.migrate()
        storage.dispose()
        yield url


@pytest.fixture(scope="module")
def three(database: str) -> Iterator[list[ServiceProcess]]:
    with service_processes(database, 3) as services:
        yield services


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in (cases, hash_records, case_hashes)}
    finally:
        engine.dispose()


def test_racing_retries_at_three_processes_create_one_case(three: list[ServiceProcess], database: str) -> None:
    before = counts(database)
    body, headers = create_body([image_item(secrets.token_hex(4))], new_case_key()), {"Idempotency-Key": idempotency_key()}

    def post(i: int) -> httpx.Response:
        return httpx.post(f"{three[i % 3].url}/v1/cases", json=body, headers=headers, timeout=60, auth=ProofOfWork())

    with ThreadPoolExecutor(9) as pool:
        responses = list(pool.map(post, range(9)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["case_number"] for r in responses}) == 1
    assert counts(database)["cases"] == before["cases"] + 1


def test_parallel_cases_at_three_processes_all_land(three: list[ServiceProcess], database: str) -> None:
    before = counts(database)
    shared = image_item(secrets.token_hex(4))

    def post(i: int) -> httpx.Response:
        body = create_body([shared, image_item(secrets.token_hex(4))], new_case_key())
        return httpx.post(
            f"{three[i % 3].url}/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()}, timeout=60,
            auth=ProofOfWork(),
        )

    with ThreadPoolExecutor(9) as pool:
        responses = list(pool.map(post, range(18)))
    assert [r.status_code for r in responses] == [201] * 18, [r.text for r in responses if r.status_code != 201]
    after = counts(database)
    assert after["cases"] - before["cases"] == 18
    assert after["hash_records"] - before["hash_records"] == 3 + 18 * 3
    assert after["case_hashes"] - before["case_hashes"] == 18 * 6


def test_wrong_keys_at_every_process_never_lock_the_owner_out(three: list[ServiceProcess]) -> None:
    """Every process checks keys with the one shared secret, and none counts failures (issue #12)."""
    with person_client(three[0].url, timeout=60) as client:
        number, key, _ = create_case(client)
    for i in range(9):
        response = httpx.get(f"{three[i % 3].url}/v1/cases/{number}", headers=bearer(new_case_key()), timeout=60)
        assert_error(response, 404, "case_not_found")
    for service in three:
        assert httpx.get(f"{service.url}/v1/cases/{number}", headers=bearer(key), timeout=60).status_code == 200


def test_a_platform_paging_during_writes_at_other_processes_misses_nothing(
    three: list[ServiceProcess], database: str
) -> None:
    """Every record committed before a platform's last page of a sync is in that sync (issue #14)."""
    storage = Storage(database)
    platform = storage.add_platform(f"Pager {secrets.token_hex(3)}", [])
    storage.dispose()
    committed: list[tuple[float, str]] = []  # (when its 201 arrived, PDQ value)
    lock, writing = threading.Lock(), threading.Event()
    writing.set()

    def writer(service: ServiceProcess) -> None:
        with person_client(service.url, timeout=60) as client:
            for _ in range(12):
                items = [image_item(secrets.token_hex(6)) for _ in range(3)]
                response = client.post(
                    "/v1/cases", json=create_body(items, new_case_key()), headers={"Idempotency-Key": idempotency_key()}
                )
                assert response.status_code == 201, response.text
                done = time.monotonic()
                with lock:
                    committed.extend((done, item["pdq"][0]["hash"]) for item in items)

    def sync(client: httpx.Client) -> tuple[float, set[str]]:
        """One full sync from the beginning; returns when its last page was asked for, and what it got."""
        seen: set[str] = set()
        params: dict[str, object] = {"startTimestamp": 0, "pageSize": 7}
        while True:
            asked = time.monotonic()
            page = client.get("/v1/FetchHashes", params=params).json()
            seen.update(r["hashValue"] for r in page["hashRecords"])
            if not page["hasMoreRecords"]:
                return asked, seen
            params = {"pageSize": 7, "nextPageToken": page["nextPageToken"]}

    headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    syncs: list[tuple[float, set[str]]] = []
    with ThreadPoolExecutor(6) as pool, httpx.Client(base_url=three[2].url, headers=headers, timeout=60) as reader:
        # Six writers at once, three at each of two processes, keep the feed's head moving while the reader,
        # at the third, keeps reaching it: a cursor that passed a write still in flight would skip it.
        writers = [pool.submit(writer, service) for service in three[:2] for _ in range(3)]
        while not all(w.done() for w in writers):
            syncs.append(sync(reader))
        for w in writers:
            w.result()
        syncs.append(sync(reader))
    assert len(syncs) >= 3  # several syncs overlapped the writes
    for last_page_asked, seen in syncs:
        with lock:
            due = {value for done, value in committed if done < last_page_asked}
        assert due <= seen, f"{len(due - seen)} committed records were skipped"
    assert {value for _, value in committed} <= syncs[-1][1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
def test_serve_with_workers_runs_that_many_processes_on_one_port(database: str) -> None:
    service = spawn_service(database, "--workers", "3")
    try:
        wait_until_ready(service.url, service.process)
        # uvicorn's supervisor, plus one process per worker (and perhaps multiprocessing's resource tracker).
        deadline = time.monotonic() + 30
        while len([c for c in _children(service.process.pid) if _is_worker(c)]) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len([c for c in _children(service.process.pid) if _is_worker(c)]) == 3
        with person_client(service.url, timeout=60) as client:
            numbers = {create_case(client)[0] for _ in range(6)}
        assert len(numbers) == 6
    finally:
        stderr = stop_service(service.process)
    assert service.process.returncode == 0, stderr
    assert "Traceback" not in stderr and "/v1/cases" not in stderr


def _is_worker(pid: int) -> bool:
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
