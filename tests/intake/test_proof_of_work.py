"""Flooding costs the flooder: every new case and every batch of items needs a fresh proof of work."""

from __future__ import annotations

import httpx
from intake_testkit import assert_error, create_body, idempotency_key, image_item, new_case_key, snapshot

from intake import ServerHandle


def test_a_case_without_proof_of_work_is_refused(server: ServerHandle, db_url: str) -> None:
    before = snapshot(db_url)
    with httpx.Client(base_url=server.url) as bare:
        body = create_body([image_item("flood")], new_case_key())
        response = bare.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()})
    assert_error(response, 428, "proof_of_work_required")
    assert snapshot(db_url) == before
