"""Payload builders and database inspection shared by the intake tests."""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa

from client_api.proof_of_work import ProofOfWork
from intake import ScryptParams
from intake.identifiers import CASE_KEY_ALPHABET
from intake.schemas import TMK_FILE_BYTES
from intake.storage import database_url, metadata

#: Cheap scrypt for case rows in the form stored before keyed hashing (still verified, upgraded on use).
FAST_SCRYPT = ScryptParams(n=2**10, r=8, p=1)


def person_client(url: str, **options: Any) -> httpx.Client:
    """An HTTP client that solves the service's proofs of work, as the person's client does."""
    return httpx.Client(base_url=url, auth=ProofOfWork(), **options)


def new_case_key() -> str:
    return "".join(secrets.choice(CASE_KEY_ALPHABET) for _ in range(26))


def _hex(seed: str, label: str, chars: int) -> str:
    return hashlib.sha256(f"{seed}/{label}".encode()).hexdigest()[:chars]


def image_item(seed: str, *, pdq_count: int = 1) -> dict[str, Any]:
    return {
        "kind": "image",
        "md5": _hex(seed, "md5", 32),
        "sha256": _hex(seed, "sha256", 64),
        "pdq": [{"hash": _hex(seed, f"pdq{i}", 64), "quality": 90} for i in range(pdq_count)],
    }


def tmk_bytes(seed: str) -> bytes:
    """A well-formed TMK+PDQF file: Meta's header layout followed by seed-dependent features."""
    header = b"TMK1FVECPDQF" + struct.pack("<5i", 15, 4, 32, 256, 284) + struct.pack("<4i", 2731, 4391, 9767, 14653)
    body = hashlib.shake_256(seed.encode()).digest(TMK_FILE_BYTES - len(header))
    return header + body


def video_item(seed: str, *, frames: int = 3, tmk: bool = True) -> dict[str, Any]:
    return {
        "kind": "video",
        "md5": _hex(seed, "md5", 32),
        "sha256": _hex(seed, "sha256", 64),
        "vpdq": [
            {"frame": i, "timestamp": i * 0.5, "hash": _hex(seed, f"vpdq{i}", 64), "quality": 80}
            for i in range(frames)
        ],
        "tmk": base64.b64encode(tmk_bytes(seed)).decode() if tmk else None,
    }


def create_body(items: list[dict[str, Any]], case_key: str, program: str = "adult") -> dict[str, Any]:
    return {"program": program, "client": "takeback/0.1.0", "case_key": case_key, "items": items}


def idempotency_key() -> str:
    return secrets.token_hex(16)


def create_case(client: httpx.Client, items: list[dict[str, Any]] | None = None) -> tuple[str, str, dict[str, Any]]:
    """Create a case; returns (case number, case key, status body)."""
    key = new_case_key()
    response = client.post(
        "/v1/cases",
        json=create_body(items or [image_item(secrets.token_hex(4))], key),
        headers={"Idempotency-Key": idempotency_key()},
    )
    assert response.status_code == 201, response.text
    return response.json()["case_number"], key, response.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: compare two snapshots to prove a request changed nothing."""
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].endswith(".")


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A URL whose connections work in a new, empty schema of the test PostgreSQL server (dropped after)."""
    base = database_url(postgres_url)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
