"""The client's real request bodies, recorded on the wire, validate against the service's OpenAPI document.

``intake/openapi.json`` is the machine-readable contract (protocol.md); this test keeps the client honest to
it, and the intake tests keep the served document equal to the file in the repo.
"""

import json
from pathlib import Path

import pytest

from client_api import CaseCredentials, IntakeClient, Program, RetryPolicy, new_case_key, new_idempotency_key
from tests.loopback import RecordingProxy

OPENAPI = Path(__file__).resolve().parents[2] / "intake" / "openapi.json"


@pytest.fixture(scope="module")
def openapi() -> dict:
    return json.loads(OPENAPI.read_text())


def request_schema(document: dict, method: str, path: str) -> dict:
    operation = document["paths"][path][method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # Resolve "#/components/..." references against the whole document.
    return {**schema, "components": document["components"]}


def template_of(target: str) -> str:
    parts = target.split("?")[0].strip("/").split("/")
    if parts[:2] == ["v1", "cases"] and len(parts) >= 3:
        parts[2] = "{case_number}"
    return "/" + "/".join(parts)


def find_path(document: dict, target: str) -> str:
    wanted = template_of(target)
    for path in document["paths"]:
        if path.split("/")[:3] == wanted.split("/")[:3] and len(path.split("/")) == len(wanted.split("/")) and (
            path.split("/")[4:] == wanted.split("/")[4:]
        ):
            return path
    raise AssertionError(f"{wanted} is not in the OpenAPI document")


def test_every_request_body_the_client_sends_matches_the_openapi_document(
    intake_server, openapi, some_items, make_image_item
):
    case_key = new_case_key()
    with RecordingProxy(intake_server.url) as proxy:
        with IntakeClient(proxy.url, retries=RetryPolicy(attempts=1), client_version="0.1.0") as client:
            status = client.create_case(Program.UNDER_18, some_items, case_key=case_key,
                                        idempotency_key=new_idempotency_key())
            credentials = CaseCredentials(status.case_number, case_key)
            client.add_items(credentials, [make_image_item(1)], idempotency_key=new_idempotency_key())
            client.status(credentials)
            client.withdraw(credentials)
    requests = proxy.requests
    # Each POST that opens a case or adds items is preceded by its proof-of-work challenge.
    assert [(r.method, r.target.split("/")[-1]) for r in requests] == [
        ("GET", "challenge"), ("POST", "cases"), ("GET", "challenge"), ("POST", "items"), ("GET", status.case_number),
        ("POST", "withdraw"),
    ]
    from jsonschema import Draft202012Validator  # here: importing it builds an IRI grammar, a second or two

    checked = 0
    for request in requests:
        path = find_path(openapi, request.target)
        operation = openapi["paths"][path][request.method.lower()]
        if "requestBody" not in operation:
            assert request.body == b"", f"{request.method} {path} takes no body"
            continue
        body = json.loads(request.body)
        Draft202012Validator(request_schema(openapi, request.method, path)).validate(body)
        checked += 1
        # Every header the operation declares as required is present.
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "header" and parameter.get("required"):
                assert parameter["name"].lower() in request.headers
    assert checked == 2
