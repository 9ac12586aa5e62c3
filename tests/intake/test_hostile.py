"""Issue #12 against the real service: strangers cannot lock a person out, weak keys are refused, the
idempotency table is no shortcut to a key, and every refusal is a documented JSON error."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import assert_error, bearer, create_body, create_case, idempotency_key, image_item, snapshot

from intake import ServerHandle
from intake.storage import database_url, idempotency


def test_wrong_keys_from_a_stranger_never_lock_the_owner_out(client: httpx.Client) -> None:
    number, key, _ = create_case(client)
    from intake_testkit import new_case_key

    for _ in range(30):
        assert_error(client.get(f"/v1/cases/{number}", headers=bearer(new_case_key())), 404, "case_not_found")
        assert_error(client.post(f"/v1/cases/{number}/withdraw", headers=bearer(new_case_key())), 404, "case_not_found")
    assert client.get(f"/v1/cases/{number}", headers=bearer(key)).status_code == 200
    assert client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key)).json()["state"] == "withdrawn"


@pytest.mark.parametrize(
    "weak",
    [
        "0" * 26,
        "Z" * 26,
        "AB" * 13,
        "0123456789ABCDEFGHJKMNPQRS",  # the alphabet in order
        "SRQPNMKJHGFEDCBA9876543210",
        "0000000000000000000000000Z",
        "ABCABCABCABCABCABCABCABCAB",
    ],
)
def test_weak_case_keys_are_refused(weak: str, client: httpx.Client, db_url: str) -> None:
    before = snapshot(db_url)
    body = create_body([image_item("weak")], weak)
    response = client.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()})
    assert_error(response, 422, "invalid_request")
    assert "case_key" in response.json()["error"]["message"]
    assert snapshot(db_url) == before


def test_the_idempotency_record_is_no_shortcut_to_the_key(client: httpx.Client, db_url: str) -> None:
    """Today's digest was SHA-256 of the body, key included: one cheap hash per guess, with no salt."""
    number, key, _ = create_case(client, [image_item("one")])
    engine = sa.create_engine(database_url(db_url))
    try:
        with engine.connect() as conn:
            stored = {row.request_digest for row in conn.execute(sa.select(idempotency))}
    finally:
        engine.dispose()
    assert len(stored) == 1
    body = create_body([image_item("one")], key)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    for guessable in (canonical, json.dumps(body).encode(), key.encode()):
        assert hashlib.sha256(guessable).hexdigest() not in stored
    assert key not in repr(snapshot(db_url))


def test_an_empty_body_is_malformed_json(client: httpx.Client, db_url: str) -> None:
    before = snapshot(db_url)
    for content_type in ("application/json", None):
        headers = {"Idempotency-Key": idempotency_key()} | ({"Content-Type": content_type} if content_type else {})
        assert_error(client.post("/v1/cases", content=b"", headers=headers), 400, "malformed_json")
    assert_error(client.post("/v1/cases", content=b"\xff\xfe", headers={"Idempotency-Key": idempotency_key(),
                                                                       "Content-Type": "application/json"}),
                 400, "malformed_json")
    assert snapshot(db_url) == before


def _token(**fields: object) -> str:
    raw = {"v": 1, "s": 739000, "q": 0, "i": 0, "t": ["ImagePDQ"], "m": 739000} | fields
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "fields",
    [{"q": 10**30}, {"i": 2**63}, {"q": -(10**30)}, {"s": 10**12}, {"m": -5}, {"t": []}, {"t": "ImagePDQ"}],
    ids=["huge seq", "id past int64", "very negative seq", "day past 9999", "negative day", "no types", "a string"],
)
def test_a_forged_page_token_is_refused_not_a_crash(fields: dict, server: ServerHandle, client: httpx.Client) -> None:
    keys = server.storage.add_platform("Forger", [])
    response = client.get(
        "/v1/FetchHashes",
        params={"nextPageToken": _token(**fields)},
        headers={"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key},
    )
    assert_error(response, 400, "invalid_page_token")


def _raw(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while data := sock.recv(65536):
            received += data
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n",
        b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: lots\r\n\r\n",
        b"GET /v1/cases HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
    ],
    ids=["not http", "bad header line", "bad content-length", "headers too long"],
)
def test_protocol_errors_from_the_server_itself_are_json(request_bytes: bytes, server: ServerHandle) -> None:
    status, headers, body = _raw(server.url, request_bytes)
    assert 400 <= status < 500
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] in ("malformed_http", "headers_too_large")
