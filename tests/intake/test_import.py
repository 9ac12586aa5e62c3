"""Bulk import: many cases in one transaction leave what creating them one by one would."""

from __future__ import annotations

import datetime as dt

import httpx
from intake_testkit import FAST_SCRYPT, bearer, create_case, image_item, new_case_key, snapshot

from intake import Program, ServerHandle, SignalType
from intake.secrets_store import scrypt_form
from intake.storage import ImportedCase


def signals(item: dict) -> list[tuple[SignalType, str]]:
    return [(SignalType.IMAGE_MD5, item["md5"]), (SignalType.IMAGE_PDQ, item["pdq"][0]["hash"])]


def test_imported_cases_join_the_feed_in_order_and_share_stored_values(
    client: httpx.Client, server: ServerHandle, db_url: str
) -> None:
    _number, _key, _ = create_case(client, [image_item("already here")])
    key = new_case_key()
    shared, day = image_item("already here"), dt.date(2026, 1, 2)
    batch = [
        ImportedCase(Program.ADULT, scrypt_form(key, FAST_SCRYPT), [signals(image_item("a")), signals(shared)]),
        ImportedCase(Program.UNDER_18, scrypt_form(key, FAST_SCRYPT), [signals(image_item("b")), signals(shared)]),
    ]
    assert server.storage.import_cases(batch, day=day) == 4  # a's and b's two values; shared is linked
    rows = snapshot(db_url)
    assert len(rows["cases"]) == 3 and len(rows["hash_records"]) == 3 + 4 and len(rows["case_hashes"]) == 3 + 8

    platform = server.storage.add_platform("Importer", [SignalType.IMAGE_MD5])
    headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    feed = client.get("/v1/FetchHashes", params={"signalTypes": "ImageMD5"}, headers=headers).json()["hashRecords"]
    # Feed order is change order: a's value (first case), then what the second case touched, the older
    # record first; each carries all its cases' references.
    assert [r["hashValue"] for r in feed] == [image_item("a")["md5"], shared["md5"], image_item("b")["md5"]]
    assert [len(r["caseNumbers"]) for r in feed] == [1, 3, 1]
    assert {r["lastModtimestamp"] for r in feed} == {int(dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc).timestamp())}
    assert client.get(f"/v1/cases/{_number}", headers=bearer(_key)).status_code == 200
