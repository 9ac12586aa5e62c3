"""The OpenAPI document in the repo is exactly what the service serves."""

import json
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
