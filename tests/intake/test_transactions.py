"""A write that fails half-way leaves nothing behind, on both databases."""

from __future__ import annotations

import httpx
import pytest

from intake.storage import Storage
from intake_testkit import bearer, create_body, create_case, idempotency_key, image_item, new_case_key, snapshot


def _fail_after_case_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Storage._link_hashes

    def half_then_fail(self, conn, case_id, signals, seq, today):  # noqa: ANN001
        real(self, conn, case_id, signals[:1], seq, today)  # some hash rows really are written...
        raise RuntimeError("simulated crash in the middle of a write")  # ...then the write dies

    monkeypatch.setattr(Storage, "_link_hashes", half_then_fail)


def test_failed_create_stores_nothing(client: httpx.Client, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    create_case(client, [image_item("before")])
    before = snapshot(db_url)
    _fail_after_case_rows(monkeypatch)
    key = idempotency_key()
    body = create_body([image_item("lost1"), image_item("lost2")], new_case_key())
    assert client.post("/v1/cases", json=body, headers={"Idempotency-Key": key}).status_code == 500
    assert snapshot(db_url) == before
    # The idempotency key was not spent either: the retry after the fault goes through.
    monkeypatch.undo()
    assert client.post("/v1/cases", json=body, headers={"Idempotency-Key": key}).status_code == 201


def test_failed_add_items_changes_nothing(client: httpx.Client, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    number, key, status = create_case(client, [image_item("kept")])
    before = snapshot(db_url)
    _fail_after_case_rows(monkeypatch)
    response = client.post(
        f"/v1/cases/{number}/items",
        json={"items": [image_item("new1"), image_item("new2")]},
        headers={**bearer(key), "Idempotency-Key": idempotency_key()},
    )
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    assert snapshot(db_url) == before
    monkeypatch.undo()
    assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json() == status
