"""Concurrent writers: retries racing each other create one case, and parallel cases all land whole."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from intake_testkit import create_body, create_case, idempotency_key, image_item, new_case_key, person_client, snapshot

from client_api.proof_of_work import ProofOfWork
from intake import ServerHandle


def test_racing_retries_with_one_idempotency_key_create_one_case(server: ServerHandle, db_url: str) -> None:
    body, headers = create_body([image_item("race")], new_case_key()), {"Idempotency-Key": idempotency_key()}

    def post(_: int) -> httpx.Response:
        with person_client(server.url, timeout=60) as client:
            return client.post("/v1/cases", json=body, headers=headers)

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(post, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["case_number"] for r in responses}) == 1
    assert len(snapshot(db_url)["cases"]) == 1


def test_parallel_cases_sharing_hashes_all_land(server: ServerHandle, db_url: str) -> None:
    shared = image_item("everyone")

    def post(i: int) -> httpx.Response:
        with person_client(server.url, timeout=60) as client:
            body = create_body([shared, image_item(f"own{i}")], new_case_key())
            return client.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()})

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(post, range(16)))
    assert [r.status_code for r in responses] == [201] * 16, [r.text for r in responses if r.status_code != 201]
    rows = snapshot(db_url)
    assert len(rows["cases"]) == 16
    assert len(rows["hash_records"]) == 3 + 16 * 3
    assert len(rows["case_hashes"]) == 16 * 6


def test_scrypt_checks_are_bounded(settings, db_url: str, monkeypatch) -> None:
    """However many requests arrive, at most ``scrypt_concurrency`` scrypt calls (proofs of work, keys of cases
    from before keyed hashing) run at once in the service."""
    import hashlib
    import threading
    import time
    from dataclasses import replace

    from intake import serve_in_thread

    running, peak, lock = [0], [0], threading.Lock()
    real = hashlib.scrypt

    def tracking(password, *, salt, n, r, p, maxmem=0, dklen=64):  # noqa: ANN001
        if not threading.current_thread().name.startswith("AnyIO"):  # the clients solving their proofs
            return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        try:
            return real(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)
        finally:
            with lock:
                running[0] -= 1

    with serve_in_thread(replace(settings, scrypt_concurrency=2)) as server:
        monkeypatch.setattr(hashlib, "scrypt", tracking)

        def create(_: int) -> int:
            with person_client(server.url, timeout=60) as own:
                return len(create_case(own)[0])

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(create, range(16))) == [12] * 16
    assert peak[0] == 2


def test_change_numbers_are_handed_out_in_commit_order(server: ServerHandle, db_url: str) -> None:
    """Why the platforms' feed never skips a record: while a write is in flight, no later write can take a change
    number, so a number a platform has paged past can never commit afterwards (issue #14)."""
    import threading
    import time

    import sqlalchemy as sa

    from intake.storage import case_hashes, cases, database_url, hash_records

    entered, release, held = threading.Event(), threading.Event(), []
    with person_client(server.url, timeout=60) as client:
        create_case(client)  # today's first write is behind us: only the change counter can make the next one wait

    def write_in_flight() -> None:
        with server.storage._write() as (_conn, seq, _day):
            held.append(seq)
            entered.set()
            release.wait(20)

    holder = threading.Thread(target=write_in_flight)
    holder.start()
    assert entered.wait(20)
    with ThreadPoolExecutor(1) as pool:
        body = create_body([image_item("after the one in flight")], new_case_key())
        created = pool.submit(
            lambda: httpx.post(
                f"{server.url}/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()}, timeout=60,
                auth=ProofOfWork(),
            )
        )
        time.sleep(1)
        waited = not created.done()
        release.set()
        holder.join(20)
        response = created.result()
    assert waited, "a second write took a change number while the first was still in flight"
    assert response.status_code == 201
    engine = sa.create_engine(database_url(db_url))
    try:
        with engine.connect() as conn:
            seqs = conn.execute(
                sa.select(hash_records.c.change_seq)
                .join(case_hashes, case_hashes.c.hash_id == hash_records.c.id)
                .join(cases, cases.c.id == case_hashes.c.case_id)
                .where(cases.c.case_number == response.json()["case_number"].replace("-", ""))
            ).scalars().all()
    finally:
        engine.dispose()
    assert set(seqs) == {held[0] + 1}
