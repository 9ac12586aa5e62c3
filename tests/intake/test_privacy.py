"""What the service keeps: no addresses, user agents, file names or times finer than a day; nothing in logs."""

from __future__ import annotations

import datetime as dt
import logging

import httpx
import pytest
import sqlalchemy as sa
from intake_testkit import bearer, create_case, idempotency_key, image_item, new_case_key, video_item

from intake.storage import database_url

TELLTALE_HEADERS = {
    "User-Agent": "TelltaleBrowser/9.9 (Marias-Laptop)",
    "X-Forwarded-For": "203.0.113.77",
    "X-Real-IP": "198.51.100.23",
    "Referer": "https://example.org/holiday-photo.jpg",
}


def _all_values(url: str) -> dict[str, list[object]]:
    """Every stored value, by ``table.column``, read with plain SQL (what is really in the database)."""
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            values: dict[str, list[object]] = {}
            for table in sa.inspect(conn).get_table_names():
                result = conn.execute(sa.text(f'SELECT * FROM "{table}"'))
                for row in result:
                    for column, value in zip(result.keys(), row, strict=False):
                        values.setdefault(f"{table}.{column}", []).append(value)
            return values
    finally:
        engine.dispose()


def _column_types(url: str) -> dict[str, str]:
    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            return {
                f"{table}.{column['name']}": str(column["type"]).upper()
                for table in inspector.get_table_names()
                for column in inspector.get_columns(table)
            }
    finally:
        engine.dispose()


def test_nothing_identifying_is_stored(client: httpx.Client, db_url: str) -> None:
    client.headers.update(TELLTALE_HEADERS)
    number, key, _ = create_case(client, [image_item("p"), video_item("v")])
    client.post(
        f"/v1/cases/{number}/items",
        json={"items": [image_item("q")]},
        headers={**bearer(key), "Idempotency-Key": idempotency_key()},
    )
    client.get(f"/v1/cases/{number}", headers=bearer(key))
    client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key))

    types = _column_types(db_url)
    assert not [c for c, t in types.items() if "TIME" in t], "only days may be stored"
    values = _all_values(db_url)
    text = "\n".join(str(v) for column in values.values() for v in column)
    for needle in ("127.0.0.1", "203.0.113.77", "198.51.100.23", "TelltaleBrowser", "Marias-Laptop", "holiday", key):
        assert needle not in text
    date_columns = [c for c, t in types.items() if "DATE" in t]
    assert sorted(date_columns) == [
        "cases.created_on", "cases.updated_on", "feed_days.day", "feedback.modified_on", "hash_records.modified_on",
        "idempotency.created_on", "platforms.created_on",
    ]
    # The one time of day anywhere: a failed look-up's second, kept for the throttle's window only. None here.
    assert values.get("limit_events.at", []) == []
    for column in date_columns:
        for value in values.get(column, []):
            # PostgreSQL returns a date; SQLite returns the ISO day as text. Never a time of day.
            assert type(value) is dt.date or (isinstance(value, str) and len(value) == 10), (column, value)
            assert str(value) == dt.date.fromisoformat(str(value)).isoformat()


def test_logs_never_carry_keys_hashes_or_addresses(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    item = image_item("logged")
    number, key, _ = create_case(client, [item])
    client.get(f"/v1/cases/{number}", headers=bearer(key))
    client.get(f"/v1/cases/{number}", headers=bearer("wrong"))
    client.post("/v1/cases", content=b"{bad", headers={"Idempotency-Key": idempotency_key()})
    # The test's own HTTP client (httpx, httpcore) logs its URLs; only the service's records count here.
    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))
    )
    assert "uvicorn.access" not in {record.name for record in caplog.records}
    for secret in (key, item["md5"], item["sha256"], item["pdq"][0]["hash"], number, number.replace("-", ""), "127.0.0.1"):
        assert secret not in logged


def test_a_crash_is_a_json_500_and_logs_no_data(
    client: httpx.Client, db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure in the middle of storing a case leaves nothing behind: the case row is rolled back too."""
    from intake_testkit import snapshot

    from intake.storage import Storage

    def explode(self, conn, case_id, signals, seq, today):  # noqa: ANN001
        raise RuntimeError(f"disk on fire while storing {signals[0][1]}")

    before = snapshot(db_url)
    monkeypatch.setattr(Storage, "_link_hashes", explode)
    item = image_item("doomed")
    with caplog.at_level(logging.ERROR, logger="intake"):
        response = client.post(
            "/v1/cases",
            json={"program": "adult", "client": "takeback/0.1.0", "case_key": new_case_key(), "items": [item]},
            headers={"Idempotency-Key": idempotency_key()},
        )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert snapshot(db_url) == before
    assert "RuntimeError" in caplog.text
    assert item["md5"] not in caplog.text  # the exception message carried it; the log must not
