"""Every kind of bad request gets a clear 4xx JSON error and changes nothing in the database."""

from __future__ import annotations

import base64
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from intake_testkit import (
    assert_error,
    bearer,
    create_body,
    create_case,
    idempotency_key,
    image_item,
    new_case_key,
    snapshot,
    tmk_bytes,
    video_item,
)

from intake import ServerHandle, Settings, serve_in_thread


def _with(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**item, **changes}


def _pdq(hash_: str, quality: int = 90) -> list[dict[str, Any]]:
    return [{"hash": hash_, "quality": quality}]


BAD_ITEMS = {
    "md5 too short": _with(image_item("i"), md5="a" * 31),
    "md5 too long": _with(image_item("i"), md5="a" * 33),
    "sha256 not hex": _with(image_item("i"), sha256="g" * 64),
    "upper-case hex": _with(image_item("i"), md5="A" * 32),
    "pdq wrong length": _with(image_item("i"), pdq=_pdq("a" * 63)),
    "pdq not hex": _with(image_item("i"), pdq=_pdq("z" * 64)),
    "pdq quality over 100": _with(image_item("i"), pdq=_pdq("a" * 64, 101)),
    "no pdq": _with(image_item("i"), pdq=[]),
    "nine pdq": image_item("i", pdq_count=9),  # the picture and its seven turns are eight
    "unknown kind": _with(image_item("i"), kind="audio"),
    "a file name": _with(image_item("i"), file_name="holiday.jpg"),
    "a size": _with(image_item("i"), size=12345),
    "vpdq negative timestamp": _with(video_item("v"), vpdq=[{"frame": 0, "timestamp": -1.0, "hash": "a" * 64, "quality": 1}]),
    "vpdq hash short": _with(video_item("v"), vpdq=[{"frame": 0, "timestamp": 0.0, "hash": "a" * 62, "quality": 1}]),
    "tmk not base64": _with(video_item("v"), tmk="not base64!"),
    "tmk wrong size": _with(video_item("v"), tmk=base64.b64encode(tmk_bytes("t")[:-4]).decode()),
    "tmk wrong magic": _with(video_item("v"), tmk=base64.b64encode(b"XXXX" + tmk_bytes("t")[4:]).decode()),
}


@pytest.fixture
def case(client: httpx.Client) -> tuple[str, str]:
    number, key, _ = create_case(client, [image_item("existing")])
    return number, key


def _unchanged(db_url: str, client: httpx.Client, call) -> httpx.Response:  # noqa: ANN001
    before = snapshot(db_url)
    response = call()
    assert snapshot(db_url) == before
    return response


@pytest.mark.parametrize("name", sorted(BAD_ITEMS))
def test_bad_items_are_refused_on_create_and_add(name: str, client: httpx.Client, db_url: str, case) -> None:
    number, key = case
    items = [image_item("fine"), BAD_ITEMS[name]]
    create = _unchanged(
        db_url,
        client,
        lambda: client.post("/v1/cases", json=create_body(items, new_case_key()), headers={"Idempotency-Key": idempotency_key()}),
    )
    assert_error(create, 422, "invalid_request")
    assert "items.1" in create.json()["error"]["message"]
    add = _unchanged(
        db_url,
        client,
        lambda: client.post(
            f"/v1/cases/{number}/items",
            json={"items": items},
            headers={**bearer(key), "Idempotency-Key": idempotency_key()},
        ),
    )
    assert_error(add, 422, "invalid_request")


BAD_CREATES = {
    "no items": ({"items": []}, 422, "invalid_request"),
    "too many items": ({"items": [image_item(str(i)) for i in range(501)]}, 422, "invalid_request"),
    "unknown programme": ({"program": "teen"}, 422, "invalid_request"),
    "short case key": ({"case_key": "ABC"}, 422, "invalid_request"),
    "case key with U": ({"case_key": "U" * 26}, 422, "invalid_request"),
    "missing case key": ({"case_key": None}, 422, "invalid_request"),
    "client with spaces": ({"client": "my laptop"}, 422, "invalid_request"),
    "extra field": ({"email": "me@example.org"}, 422, "invalid_request"),
}


@pytest.mark.parametrize("name", sorted(BAD_CREATES))
def test_bad_create_bodies(name: str, client: httpx.Client, db_url: str) -> None:
    changes, status, code = BAD_CREATES[name]
    body = {**create_body([image_item("x")], new_case_key()), **changes}
    body = {k: v for k, v in body.items() if v is not None}
    response = _unchanged(db_url, client, lambda: client.post("/v1/cases", json=body, headers={"Idempotency-Key": idempotency_key()}))
    assert_error(response, status, code)


def test_too_many_vpdq_frames(client: httpx.Client, db_url: str) -> None:
    video = video_item("long", frames=20_001, tmk=False)
    response = _unchanged(
        db_url,
        client,
        lambda: client.post("/v1/cases", json=create_body([video], new_case_key()), headers={"Idempotency-Key": idempotency_key()}),
    )
    assert_error(response, 422, "invalid_request")


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2", json.dumps([create_body([image_item("x")], new_case_key())]).encode(), b"\xff\xfe"],
    ids=["broken", "empty", "truncated", "a list", "not utf-8"],
)
def test_malformed_json(content: bytes, client: httpx.Client, db_url: str) -> None:
    response = _unchanged(
        db_url,
        client,
        lambda: client.post(
            "/v1/cases", content=content, headers={"Idempotency-Key": idempotency_key(), "Content-Type": "application/json"}
        ),
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] in ("malformed_json", "invalid_request")
    if content.startswith(b"{not") or content.startswith(b"[1"):
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "missing_idempotency_key"), ({"Idempotency-Key": "short"}, "invalid_idempotency_key"), ({"Idempotency-Key": "has space in it"}, "invalid_idempotency_key")],
)
def test_idempotency_key_is_required_and_checked(headers, code, client: httpx.Client, db_url: str, case) -> None:
    number, key = case
    body = create_body([image_item("x")], new_case_key())
    assert_error(_unchanged(db_url, client, lambda: client.post("/v1/cases", json=body, headers=headers)), 400, code)
    add = lambda: client.post(f"/v1/cases/{number}/items", json={"items": [image_item("y")]}, headers={**bearer(key), **headers})  # noqa: E731
    assert_error(_unchanged(db_url, client, add), 400, code)


def test_wrong_key_and_unknown_case_change_nothing(client: httpx.Client, db_url: str, case) -> None:
    number, key = case
    wrong = {**bearer(new_case_key()), "Idempotency-Key": idempotency_key()}
    for call in (
        lambda: client.post(f"/v1/cases/{number}/items", json={"items": [image_item("y")]}, headers=wrong),
        lambda: client.post(f"/v1/cases/{number}/withdraw", headers=wrong),
        lambda: client.post("/v1/cases/222-222-2222/withdraw", headers=bearer(key)),
    ):
        assert_error(_unchanged(db_url, client, call), 404, "case_not_found")
    assert client.get(f"/v1/cases/{number}", headers=bearer(key)).json()["state"] == "active"


def test_unknown_paths_and_methods_are_json(client: httpx.Client) -> None:
    assert_error(client.get("/v2/cases"), 404, "not_found")
    assert_error(client.delete("/v1/cases"), 405, "method_not_allowed")


# --- bodies over the size limit, refused before they are read ---


@pytest.fixture
def small_limit_server(settings: Settings) -> ServerHandle:
    from dataclasses import replace

    with serve_in_thread(replace(settings, max_body_bytes=64 * 1024)) as handle:
        yield handle


def _raw_exchange(url: str, head: bytes, body_chunks: list[bytes]) -> tuple[int, dict[str, str], bytes]:
    """Send a hand-made HTTP/1.1 request and read the answer, tolerating the server closing early."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        received = b""
        while b"\r\n\r\n" not in received:
            data = sock.recv(65536)
            if not data:
                break
            received += data
        header_block, _, rest = received.partition(b"\r\n\r\n")
        lines = header_block.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            data = sock.recv(65536)
            if not data:
                break
            rest += data
        return int(lines[0].split()[1]), headers, rest


def test_declared_oversized_body_is_refused_without_reading_it(small_limit_server: ServerHandle, db_url: str) -> None:
    before = snapshot(db_url)
    head = (
        b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Idempotency-Key: 0123456789abcdef\r\nContent-Length: 10000000\r\n\r\n"
    )
    # Not one byte of the body is sent: the answer can only come from the declared length.
    status, _headers, body = _raw_exchange(small_limit_server.url, head, [])
    assert status == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    assert snapshot(db_url) == before


def test_undeclared_oversized_body_is_cut_off(small_limit_server: ServerHandle, db_url: str) -> None:
    before = snapshot(db_url)
    head = (
        b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Idempotency-Key: 0123456789abcdef\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 16384
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(8)] + [b"0\r\n\r\n"]
    status, _headers, body = _raw_exchange(small_limit_server.url, head, chunks)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    assert snapshot(db_url) == before


def test_bad_content_length_is_400(small_limit_server: ServerHandle) -> None:
    head = b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: lots\r\n\r\n"
    status, _headers, _body = _raw_exchange(small_limit_server.url, head, [])
    assert status == 400  # h11 refuses it before the app sees it; either way a 400
