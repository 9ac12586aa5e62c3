"""The OpenAPI document in the repo is exactly what the service serves."""

import json
import logging
from pathlib import Path

import httpx

import intake

COMMITTED = Path(intake.__file__).parent / "openapi.json"


def test_committed_openapi_matches_the_served_one(intake_server) -> None:
    served = httpx.get(f"{intake_server.url}/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "regenerate it: python -m intake openapi > intake/openapi.json"


def test_every_error_response_is_documented_as_json() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_public_names() -> None:
    for name in intake.__all__:
        assert hasattr(intake, name), name


def test_answers_are_checked_against_their_documented_schema(client, monkeypatch, caplog) -> None:
    """The routes' response models are real: an answer that breaks its own schema never leaves the service."""
    from intake_testkit import idempotency_key, image_item, new_case_key

    from intake.storage import IdempotentAnswer, Storage

    broken = IdempotentAnswer(201, {"case_number": "ABC-DEF-GH23", "state": "lost"}, replayed=False)
    monkeypatch.setattr(Storage, "create_case", lambda self, **_: broken)
    with caplog.at_level(logging.ERROR, logger="intake"):
        response = client.post(
            "/v1/cases",
            json={"program": "adult", "client": "takeback/0.1.0", "case_key": new_case_key(), "items": [image_item("x")]},
            headers={"Idempotency-Key": idempotency_key()},
        )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "ResponseValidationError" in caplog.text
