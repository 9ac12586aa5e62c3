"""The person-facing API against a real server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

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
    snapshot,
    video_item,
)

from intake import ScryptParams, ServerHandle, Settings, serve_in_thread
from intake.identifiers import normalise_case_number
from intake.secrets_store import scrypt_form
from intake.storage import cases, database_url


def test_create_case_answers_with_its_status(client: httpx.Client) -> None:
    items = [image_item("a"), image_item("b", pdq_count=2), video_item("c")]
    number, _key, status = create_case(client, items)
    assert normalise_case_number(number) is not None
    assert number.count("-") == 2
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert status == {
        "case_number": number,
        "program": "adult",
        "state": "active",
        "created_on": today,
        "updated_on": today,
        "item_count": 3,
        # image: md5, sha256, pdq; image: md5, sha256, 2 pdq; video: md5, sha256, vpdq, tmk
        "fingerprint_count": 3 + 4 + 4,
        "feedback": [],
    }


def test_status_reads_the_case_whatever_way_the_number_is_typed(client: httpx.Client) -> None:
    number, key, created = create_case(client)
    for typed in (number, number.lower(), number.replace("-", ""), number.replace("-", " ")):
        response = client.get(f"/v1/cases/{typed}", headers=bearer(key))
        assert response.status_code == 200, typed
        assert response.json() == created
    grouped = "-".join(key[i : i + 5] for i in range(0, 26, 5)).lower()
    assert client.get(f"/v1/cases/{number}", headers=bearer(grouped)).json() == created


def test_under18_programme_is_kept(client: httpx.Client) -> None:
    response = client.post(
        "/v1/cases",
        json=create_body([image_item("u")], new_case_key(), program="under18"),
        headers={"Idempotency-Key": idempotency_key()},
    )
    assert response.status_code == 201
    assert response.json()["program"] == "under18"


def test_add_items_grows_the_case(client: httpx.Client) -> None:
    number, key, _ = create_case(client, [image_item("first")])
    response = client.post(
        f"/v1/cases/{number}/items",
        json={"items": [image_item("second"), video_item("third", tmk=False)]},
        headers={**bearer(key), "Idempotency-Key": idempotency_key()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["item_count"] == 3
    assert response.json()["fingerprint_count"] == 3 + 3 + 3


def test_create_is_idempotent(client: httpx.Client, db_url: str) -> None:
    body, headers = create_body([image_item("same")], new_case_key()), {"Idempotency-Key": idempotency_key()}
    first = client.post("/v1/cases", json=body, headers=headers)
    before = snapshot(db_url)
    again = client.post("/v1/cases", json=body, headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (201, first.json())
    assert snapshot(db_url) == before
    assert len(before["cases"]) == 1


def test_reused_idempotency_key_with_another_body_is_a_conflict(client: httpx.Client, db_url: str) -> None:
    key, headers = new_case_key(), {"Idempotency-Key": idempotency_key()}
    assert client.post("/v1/cases", json=create_body([image_item("one")], key), headers=headers).status_code == 201
    before = snapshot(db_url)
    for changed in (create_body([image_item("two")], key), create_body([image_item("one")], new_case_key())):
        assert_error(client.post("/v1/cases", json=changed, headers=headers), 409, "idempotency_conflict")
    assert snapshot(db_url) == before


def test_add_items_is_idempotent_and_conflicts_on_another_body(client: httpx.Client, db_url: str) -> None:
    number, key, _ = create_case(client)
    headers = {**bearer(key), "Idempotency-Key": idempotency_key()}
    first = client.post(f"/v1/cases/{number}/items", json={"items": [image_item("x")]}, headers=headers)
    before = snapshot(db_url)
    again = client.post(f"/v1/cases/{number}/items", json={"items": [image_item("x")]}, headers=headers)
    assert (again.status_code, again.json()) == (200, first.json())
    other = client.post(f"/v1/cases/{number}/items", json={"items": [image_item("y")]}, headers=headers)
    assert_error(other, 409, "idempotency_conflict")
    assert snapshot(db_url) == before


def test_idempotency_keys_are_per_case_for_added_items(client: httpx.Client) -> None:
    shared = idempotency_key()
    for _ in range(2):
        number, key, _ = create_case(client)
        response = client.post(
            f"/v1/cases/{number}/items",
            json={"items": [image_item("z")]},
            headers={**bearer(key), "Idempotency-Key": shared},
        )
        assert response.status_code == 200


def test_withdraw_twice_is_fine_and_refuses_new_items(client: httpx.Client, db_url: str) -> None:
    number, key, _ = create_case(client)
    first = client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key))
    assert first.status_code == 200 and first.json()["state"] == "withdrawn"
    before = snapshot(db_url)
    second = client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key))
    assert (second.status_code, second.json()) == (200, first.json())
    refused = client.post(
        f"/v1/cases/{number}/items",
        json={"items": [image_item("late")]},
        headers={**bearer(key), "Idempotency-Key": idempotency_key()},
    )
    assert_error(refused, 409, "case_withdrawn")
    assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json()["state"] == "withdrawn"
    assert snapshot(db_url) == before


def test_the_same_fingerprints_in_two_cases_are_one_hash_record(client: httpx.Client, db_url: str) -> None:
    create_case(client, [image_item("shared")])
    create_case(client, [image_item("shared")])
    rows = snapshot(db_url)
    assert len(rows["cases"]) == 2
    assert len(rows["hash_records"]) == 3
    assert len(rows["case_hashes"]) == 6


@pytest.mark.parametrize(
    "call",
    [
        lambda c, n: c.get(f"/v1/cases/{n}"),
        lambda c, n: c.post(f"/v1/cases/{n}/withdraw"),
        lambda c, n: c.get(f"/v1/cases/{n}", headers={"Authorization": "Basic dXNlcjpwYXNz"}),
    ],
)
def test_missing_case_key_is_401(client: httpx.Client, call) -> None:
    number, _, _ = create_case(client)
    response = call(client, number)
    assert_error(response, 401, "missing_case_key")
    assert response.headers["www-authenticate"] == "Bearer"


def _comparable(response: httpx.Response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, response.content, headers


def test_wrong_key_and_unknown_case_get_the_same_answer(client: httpx.Client) -> None:
    number, key, _ = create_case(client)
    wrong_key = client.get(f"/v1/cases/{number}", headers=bearer(new_case_key()))
    malformed_key = client.get(f"/v1/cases/{number}", headers=bearer("not-a-key"))
    unknown = client.get(f"/v1/cases/{_another_valid_number(number)}", headers=bearer(key))
    malformed_number = client.get("/v1/cases/HELLO", headers=bearer(key))
    assert_error(wrong_key, 404, "case_not_found")
    assert _comparable(wrong_key) == _comparable(malformed_key) == _comparable(unknown) == _comparable(malformed_number)
    for path in ("items", "withdraw"):
        a = client.post(f"/v1/cases/{number}/{path}", headers={**bearer(new_case_key()), "Idempotency-Key": idempotency_key()}, json={"items": [image_item("q")]})
        b = client.post(f"/v1/cases/{_another_valid_number(number)}/{path}", headers={**bearer(key), "Idempotency-Key": idempotency_key()}, json={"items": [image_item("q")]})
        assert _comparable(a) == _comparable(b) == _comparable(wrong_key)


def _another_valid_number(number: str) -> str:
    from intake.identifiers import format_case_number, new_case_number

    while True:
        other = format_case_number(new_case_number())
        if other != number:
            return other


def test_case_keys_are_stored_as_keyed_hashes(client: httpx.Client, db_url: str) -> None:
    _number, key, _ = create_case(client)
    (stored,) = [value.strip("'") for row in snapshot(db_url)["cases"] for value in row if "$" in value]
    prefix, key_id, digest = stored.split("$")
    assert prefix == "hmac-sha256" and len(key_id) == 8 and len(base64.b64decode(digest)) == 32
    assert key not in stored


def test_a_case_from_before_keyed_hashing_opens_and_is_upgraded(
    server: ServerHandle, client: httpx.Client, db_url: str
) -> None:
    """Rows written with scrypt stay valid: the right key opens them and rewrites them in the keyed form."""
    number, key, status = create_case(client)
    old_form = scrypt_form(key, ScryptParams(n=2**10))
    engine = sa.create_engine(database_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(cases.update().values(key_hash=old_form))
        assert_error(client.get(f"/v1/cases/{number}", headers=bearer(new_case_key())), 404, "case_not_found")
        with engine.connect() as conn:
            assert conn.execute(sa.select(cases.c.key_hash)).scalar_one() == old_form
        assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json() == status
        with engine.connect() as conn:
            assert conn.execute(sa.select(cases.c.key_hash)).scalar_one().startswith("hmac-sha256$")
    finally:
        engine.dispose()
    assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json() == status


def test_a_lost_secret_file_is_recreated_but_a_wrong_one_opens_nothing(settings: Settings, db_url: str, tmp_path) -> None:
    """The secret lives beside, not in, the database: another secret means no key matches (say so in the docs)."""
    with serve_in_thread(settings) as server, person_client(server.url) as client:
        number, key, _ = create_case(client)
    other = replace(settings, secret_file=str(tmp_path / "another.secret"))
    with serve_in_thread(other) as server, person_client(server.url) as client:
        assert_error(client.get(f"/v1/cases/{number}", headers=bearer(key)), 404, "case_not_found")
    assert (tmp_path / "another.secret").stat().st_mode & 0o077 == 0

