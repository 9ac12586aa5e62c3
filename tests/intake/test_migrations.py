"""Alembic migrations: a new database, a first-release database upgraded with its data, and refusals.

The first release made its tables at start-up; ``tests/data/intake-release-1/`` holds the exact statements it
ran on each database, so the upgrade starts from what deployments really have.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from intake_testkit import FAST_SCRYPT, bearer, image_item, new_case_key, person_client

from intake import (
    DatabaseOutOfDate,
    DatabaseTooNew,
    Settings,
    Storage,
    create_app,
    format_case_number,
    new_case_number,
    serve_in_thread,
)
from intake.secrets_store import scrypt_form
from intake.storage import case_hashes, cases, counters, hash_records, metadata
from intake import schema_head as head

RELEASE_1 = Path(__file__).parents[1] / "data" / "intake-release-1"


def make_release_one_database(url: str) -> None:
    """The tables and marks the first release created, as it created them."""
    storage = Storage(url)
    try:
        script = (RELEASE_1 / f"{storage.engine.dialect.name}.sql").read_text()
        with storage.engine.begin() as conn:
            for statement in script.split(";"):
                code = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
                if code:
                    conn.exec_driver_sql(code)
    finally:
        storage.dispose()


def test_migrate_creates_exactly_the_tables_storage_uses(empty_db_url: str) -> None:
    storage = Storage(empty_db_url)
    try:
        assert storage.migrate() is None
        assert storage.migrate() == head()  # again: nothing to do
        storage.check_schema()
        with storage.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        storage.dispose()


def test_a_release_one_database_is_upgraded_with_its_data(empty_db_url: str, tmp_path) -> None:  # noqa: ANN001
    make_release_one_database(empty_db_url)
    key = new_case_key()
    storage = Storage(empty_db_url)
    try:
        with pytest.raises(DatabaseOutOfDate, match="older schema"):
            storage.check_schema()
        # What a release-one service wrote for a case of one photo, and a platform's registration.
        item, number = image_item("kept"), new_case_number()
        day = dt.date(2026, 6, 1)
        with storage.engine.begin() as conn:
            case_id = conn.execute(
                cases.insert().returning(cases.c.id).values(
                    case_number=number, exchange_ref="TBABCDEFGHJKMN", program="adult", state="active",
                    key_hash=scrypt_form(key, FAST_SCRYPT), created_on=day, updated_on=day, item_count=1,
                    fingerprint_count=2,
                )
            ).scalar_one()
            for signal_type, value in [("ImageMD5", item["md5"]), ("ImagePDQ", item["pdq"][0]["hash"])]:
                hash_id = conn.execute(
                    hash_records.insert().returning(hash_records.c.id).values(
                        signal_type=signal_type, value_digest=hashlib.sha256(value.encode()).hexdigest(),
                        hash_value=value, change_seq=1, modified_on=day,
                    )
                ).scalar_one()
                conn.execute(case_hashes.insert().values(case_id=case_id, hash_id=hash_id))
            conn.execute(counters.update().where(counters.c.name == "changes").values(value=1))
        platform = storage.add_platform("Before the upgrade", [])
        assert storage.migrate() == "0001"
        storage.check_schema()
        with storage.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
            # Release one refuses any mark above 1, so it cannot start on the upgraded database.
            assert conn.exec_driver_sql("SELECT value FROM counters WHERE name = 'schema_version'").scalar() > 1
    finally:
        storage.dispose()

    settings = Settings(database_url=empty_db_url, port=0, secret_file=str(tmp_path / "intake.secret"), proof_of_work=1,
                        proof_of_work_per_item=0)
    with serve_in_thread(settings, migrate=False) as server, person_client(server.url) as client:
        status = client.get(f"/v1/cases/{number}", headers=bearer(key)).json()
        assert (status["case_number"], status["created_on"], status["fingerprint_count"]) == (
            format_case_number(number), "2026-06-01", 2
        )
        page = client.get(
            "/v1/FetchHashes",
            params={"startTimestamp": 0},
            headers={"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key},
        ).json()
        assert page["count"] == 1 and page["hashRecords"][0]["hashValue"] == item["pdq"][0]["hash"]
        assert page["hashRecords"][0]["caseNumbers"] == {"TBABCDEFGHJKMN": "Active"}
        # New writes go on from the counter the old release left.
        more = client.post(
            f"/v1/cases/{number}/items",
            json={"items": [image_item("after")]},
            headers={**bearer(key), "Idempotency-Key": "after-the-upgrade"},
        )
        assert more.status_code == 200 and more.json()["item_count"] == 2


def test_the_service_refuses_an_empty_or_older_database(empty_db_url: str) -> None:
    settings = Settings(database_url=empty_db_url, port=0)
    with pytest.raises(DatabaseOutOfDate, match="no tables yet.*takeback intake migrate"):
        create_app(settings)
    make_release_one_database(empty_db_url)
    with pytest.raises(DatabaseOutOfDate, match="older schema"):
        serve_in_thread(settings, migrate=False)


@pytest.mark.parametrize(
    "newer",
    ["UPDATE alembic_version SET version_num = 'ffff_from_the_future'", "UPDATE counters SET value = 9 WHERE name = 'schema_version'"],
)
def test_a_database_from_a_newer_release_is_refused_and_left_alone(empty_db_url: str, newer: str) -> None:
    storage = Storage(empty_db_url)
    try:
        if "alembic_version" in newer:
            storage.migrate()
        else:
            make_release_one_database(empty_db_url)
        with storage.engine.begin() as conn:
            conn.exec_driver_sql(newer)
        before = sa.inspect(storage.engine).get_table_names()
        with pytest.raises(DatabaseTooNew, match="newer version"):
            storage.check_schema()
        with pytest.raises(DatabaseTooNew):
            storage.migrate()
        with pytest.raises(DatabaseTooNew):
            create_app(Settings(database_url=empty_db_url, port=0))
        assert sa.inspect(storage.engine).get_table_names() == before
    finally:
        storage.dispose()
