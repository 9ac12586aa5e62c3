"""The platforms' side: Meta's own StopNCII client (python-threatexchange), unchanged, against the real service."""

from __future__ import annotations

import base64
import calendar
import datetime as dt
from dataclasses import replace

import httpx
import pytest
import requests
from intake_testkit import (
    assert_error,
    bearer,
    create_body,
    create_case,
    idempotency_key,
    image_item,
    new_case_key,
    person_client,
    snapshot,
    tmk_bytes,
    video_item,
)
from threatexchange.exchanges.clients.stopncii.api import (
    StopNCIIAPI,
    StopNCIICaseStatus,
    StopNCIICSPFeedbackValue,
    StopNCIIEndpoint,
    StopNCIISignalType,
)

from intake import ServerHandle, Settings, SignalType, Storage, serve_in_thread
from intake.storage import PlatformKeys


def stopncii(server: ServerHandle, keys: PlatformKeys) -> StopNCIIAPI:
    return StopNCIIAPI(
        keys.subscription_key,
        keys.function_key,
        additional_function_keys={StopNCIIEndpoint.SubmitFeedback: keys.function_key},
        base_url_override=f"{server.url}/v1",
    )


def everything(api: StopNCIIAPI, start: int = StopNCIIAPI.DEFAULT_START_TIME):
    """The client's documented way to read the whole stream: later records replace earlier ones."""
    pages = list(api.fetch_hashes_iter(start))
    records = {(r.signalType, r.hashValue): r for page in pages for r in page.hashRecords}
    return records, pages


def day_start(day: dt.date) -> int:
    return calendar.timegm(day.timetuple())


@pytest.fixture
def platform(server: ServerHandle) -> PlatformKeys:
    return server.storage.add_platform("Example Social", [])


def test_the_whole_journey_with_the_threatexchange_client(
    server: ServerHandle, client: httpx.Client, platform: PlatformKeys
) -> None:
    image, video = image_item("photo", pdq_count=2), video_item("clip")
    number, key, _ = create_case(client, [image, video])
    api = stopncii(server, platform)

    records, pages = everything(api)
    assert pages[-1].hasMoreRecords is False and pages[-1].nextPageToken is None
    expected = {
        (StopNCIISignalType.ImagePDQ, image["pdq"][0]["hash"]),
        (StopNCIISignalType.ImagePDQ, image["pdq"][1]["hash"]),
        (StopNCIISignalType.VideoMD5, video["md5"]),
        (StopNCIISignalType.VideoTMK, video["tmk"]),
    }
    assert set(records) == expected  # the default types only: the client knows each of them
    today = dt.datetime.now(dt.timezone.utc).date()
    for record in records.values():
        assert record.hashStatus is StopNCIICaseStatus.Active
        assert record.lastModtimestamp == day_start(today)
        assert list(record.caseNumbers.values()) == [StopNCIICaseStatus.Active]
        # Platforms get an exchange reference, never the person's case number.
        assert number.replace("-", "") not in "".join(record.caseNumbers)
        assert record.CSPFeedbacks == []
    assert base64.b64decode(records[(StopNCIISignalType.VideoTMK, video["tmk"])].hashValue) == tmk_bytes("clip")
    assert pages[-1].nextSetTimestamp == day_start(today)

    api.submit_feedback(StopNCIISignalType.ImagePDQ, image["pdq"][0]["hash"], StopNCIICSPFeedbackValue.Blocked, {"ncii"})
    other = stopncii(server, server.storage.add_platform("Other Video", []))
    other.submit_feedback(StopNCIISignalType.VideoMD5, video["md5"], StopNCIICSPFeedbackValue.Blocked)
    other.submit_feedback(StopNCIISignalType.ImagePDQ, image["pdq"][1]["hash"], StopNCIICSPFeedbackValue.PendingReview)
    status = client.get(f"/v1/cases/{number}", headers=bearer(key)).json()
    assert status["feedback"] == [{"value": "Blocked", "platforms": 2}, {"value": "PendingReview", "platforms": 1}]

    records, _ = everything(api, pages[-1].nextSetTimestamp)
    feedback = records[(StopNCIISignalType.ImagePDQ, image["pdq"][0]["hash"])].CSPFeedbacks
    assert [(f.feedbackValue, f.tags, f.source) for f in feedback] == [
        (StopNCIICSPFeedbackValue.Blocked, {"ncii"}, "Example Social")
    ]

    assert client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key)).status_code == 200
    records, _ = everything(api, pages[-1].nextSetTimestamp)
    assert set(records) == expected
    assert {r.hashStatus for r in records.values()} == {StopNCIICaseStatus.Withdrawn}
    assert {s for r in records.values() for s in r.caseNumbers.values()} == {StopNCIICaseStatus.Withdrawn}


def test_a_hash_stays_active_while_any_of_its_cases_is(server: ServerHandle, client: httpx.Client, platform) -> None:
    shared = image_item("shared")
    first, first_key, _ = create_case(client, [shared])
    create_case(client, [shared])
    client.post(f"/v1/cases/{first}/withdraw", headers=bearer(first_key))
    records, _ = everything(stopncii(server, platform))
    record = records[(StopNCIISignalType.ImagePDQ, shared["pdq"][0]["hash"])]
    assert record.hashStatus is StopNCIICaseStatus.Active
    assert sorted(s.value for s in record.caseNumbers.values()) == ["Active", "Withdrawn"]


def test_threatexchange_signal_exchange_reads_the_list(server: ServerHandle, client: httpx.Client, platform) -> None:
    """The higher-level exchange (what `threatexchange fetch` and HMA use) maps our records to its signals."""
    from threatexchange.exchanges.collab_config import CollaborationConfigBase
    from threatexchange.exchanges.impl.stop_ncii_api import StopNCIISignalExchangeAPI

    image, video = image_item("seen"), video_item("seen-too")
    create_case(client, [image, video])
    exchange = StopNCIISignalExchangeAPI(
        CollaborationConfigBase(name="takeback", api="stop_ncii", enabled=True), stopncii(server, platform)
    )
    updates = {}
    for delta in exchange.fetch_iter([], None):
        updates.update(delta.updates)
        checkpoint = delta.checkpoint
    assert ("pdq", image["pdq"][0]["hash"]) in updates
    assert ("video_md5", video["md5"]) in updates
    assert checkpoint.update_time == day_start(dt.datetime.now(dt.timezone.utc).date())


def test_paging_visits_every_record_once(server: ServerHandle, client: httpx.Client, platform) -> None:
    items = [image_item(f"page{i}") for i in range(7)]
    create_case(client, items)
    api = stopncii(server, platform)
    seen, token, pages = [], "", 0
    while True:
        page = api.fetch_hashes(page_size=3, next_page=token)
        pages += 1
        seen += [r.hashValue for r in page.hashRecords]
        assert page.count == len(page.hashRecords)
        if not page.hasMoreRecords:
            break
        token = page.nextPageToken
    assert pages == 3
    assert sorted(seen) == sorted(i["pdq"][0]["hash"] for i in items)


def test_a_record_changed_while_paging_comes_again_later(server: ServerHandle, client: httpx.Client, platform) -> None:
    items = [image_item(f"moving{i}") for i in range(4)]
    number, key, _ = create_case(client, items)
    api = stopncii(server, platform)
    first = api.fetch_hashes(page_size=2)
    client.post(f"/v1/cases/{number}/withdraw", headers=bearer(key))
    rest = []
    token = first.nextPageToken
    while token:
        page = api.fetch_hashes(page_size=2, next_page=token)
        rest += page.hashRecords
        token = page.nextPageToken if page.hasMoreRecords else ""
    assert {r.hashValue for r in rest} == {i["pdq"][0]["hash"] for i in items}
    assert {r.hashStatus for r in rest} == {StopNCIICaseStatus.Withdrawn}


def test_big_values_are_split_across_pages(settings: Settings, client: httpx.Client) -> None:
    with serve_in_thread(replace(settings, page_byte_budget=500_000)) as server:
        platform = server.storage.add_platform("Budget", [])
        with person_client(server.url) as own:
            create_case(own, [video_item(f"tmk{i}") for i in range(3)])
        _, pages = everything(stopncii(server, platform))
        tmk_pages = [[r for r in p.hashRecords if r.signalType is StopNCIISignalType.VideoTMK] for p in pages]
        assert sum(len(p) for p in tmk_pages) == 3
        assert max(len(p) for p in tmk_pages) == 1  # 350 KB each: one per 500 KB page


def test_platforms_opt_in_to_more_signal_types(server: ServerHandle, client: httpx.Client) -> None:
    image, video = image_item("more"), video_item("more", frames=2)
    create_case(client, [image, video])
    keys = server.storage.add_platform("Wants Everything", [SignalType.IMAGE_MD5, SignalType.VIDEO_VPDQ])
    headers = {"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key}
    records = httpx.get(f"{server.url}/v1/FetchHashes", headers=headers).json()["hashRecords"]
    assert sorted({r["signalType"] for r in records}) == ["ImageMD5", "ImagePDQ", "VideoMD5", "VideoTMK", "VideoVPDQ"]
    vpdq = next(r["hashValue"] for r in records if r["signalType"] == "VideoVPDQ")
    assert vpdq == (
        f'["{video["vpdq"][0]["hash"]},80,0.0", "{video["vpdq"][1]["hash"]},80,0.5"]'
    )  # python-threatexchange's vPDQ serialisation
    only = httpx.get(
        f"{server.url}/v1/FetchHashes", headers=headers, params={"signalTypes": "ImageSHA256,VideoSHA256"}
    ).json()["hashRecords"]
    assert sorted((r["signalType"], r["hashValue"]) for r in only) == [
        ("ImageSHA256", image["sha256"]),
        ("VideoSHA256", video["sha256"]),
    ]


def test_vpdq_value_follows_threatexchange_serialisation() -> None:
    """Pinned against python-threatexchange's ``vpdq_to_json``: "hex,quality,timestamp" with the timestamp in
    Python's general format to 3 significant digits, as a JSON list (its vpdq extension is not installed here)."""
    from intake.schemas import VideoItem, signals_of

    frames = [(0, 100), (1.25, 7), (12.3456, 50), (123.4, 0)]
    video = VideoItem.model_validate(
        video_item("ser", tmk=False)
        | {"vpdq": [{"frame": i, "timestamp": t, "hash": "ab" * 32, "quality": q} for i, (t, q) in enumerate(frames)]}
    )
    value = dict(signals_of(video))[SignalType.VIDEO_VPDQ]
    h = "ab" * 32
    assert value == f'["{h},100,0.0", "{h},7,1.25", "{h},50,12.3", "{h},0,1.23e+02"]'


def test_start_timestamp_and_checkpoints_work_in_days(db_url: str, settings: Settings) -> None:
    day = [dt.date(2026, 3, 1)]
    storage = Storage(db_url, today=lambda: day[0])
    try:
        with serve_in_thread(settings, storage=storage) as server, person_client(server.url) as client:
            platform = server.storage.add_platform("Daily", [])
            api = stopncii(server, platform)
            old = image_item("march")
            create_case(client, [old])
            day[0] = dt.date(2026, 3, 4)
            new = image_item("later")
            create_case(client, [new])

            everything_records, pages = everything(api)
            assert {r.lastModtimestamp for r in everything_records.values()} == {
                day_start(dt.date(2026, 3, 1)),
                day_start(dt.date(2026, 3, 4)),
            }
            assert pages[-1].nextSetTimestamp == day_start(dt.date(2026, 3, 4))
            # Any moment of 4 March means "changed on 4 March or later": only days are known.
            later, _ = everything(api, day_start(dt.date(2026, 3, 4)) + 13 * 3600)
            assert {v for _, v in later} == {new["pdq"][0]["hash"]}
            # Nothing new: an empty page keeps the checkpoint where it was.
            nothing = api.fetch_hashes(start_timestamp=day_start(dt.date(2026, 3, 5)))
            assert (nothing.count, nothing.hasMoreRecords, nothing.nextSetTimestamp) == (
                0, False, day_start(dt.date(2026, 3, 5))
            )
    finally:
        storage.dispose()


# --- bad platform requests: clear 4xx, nothing changes ---


def test_wrong_or_missing_platform_keys_are_401(server: ServerHandle, platform: PlatformKeys, db_url: str) -> None:
    url = f"{server.url}/v1/FetchHashes"
    good = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    assert httpx.get(url, headers=good).status_code == 200
    before = snapshot(db_url)
    for headers in (
        {},
        {"Ocp-Apim-Subscription-Key": platform.subscription_key},
        {"x-functions-key": platform.function_key},
        {**good, "x-functions-key": "wrong"},
        {**good, "Ocp-Apim-Subscription-Key": "wrong"},
        {"Ocp-Apim-Subscription-Key": platform.function_key, "x-functions-key": platform.subscription_key},
    ):
        assert_error(httpx.get(url, headers=headers), 401, "platform_unauthorised")
        body = {"count": 0, "hashFeedbacks": []}
        assert_error(httpx.post(f"{server.url}/v1/SubmitFeedback", json=body, headers=headers), 401, "platform_unauthorised")
    assert snapshot(db_url) == before
    with pytest.raises(requests.HTTPError):
        StopNCIIAPI("wrong", "keys", base_url_override=f"{server.url}/v1").fetch_hashes()


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"pageSize": 0}, 422, "invalid_request"),
        ({"pageSize": 100_000}, 422, "invalid_request"),
        ({"pageSize": "many"}, 422, "invalid_request"),
        ({"startTimestamp": -5}, 422, "invalid_request"),
        ({"nextPageToken": "not-a-token"}, 400, "invalid_page_token"),
        ({"nextPageToken": base64.urlsafe_b64encode(b'{"v":9}').decode()}, 400, "invalid_page_token"),
        ({"signalTypes": "ImagePDQ,AudioHash"}, 422, "invalid_request"),
        ({"signalTypes": ","}, 422, "invalid_request"),
    ],
)
def test_bad_fetch_parameters(params, status: int, code: str, server: ServerHandle, platform: PlatformKeys) -> None:
    headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    assert_error(httpx.get(f"{server.url}/v1/FetchHashes", params=params, headers=headers), status, code)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{nope", 400, "malformed_json"),
        ({"count": 2, "hashFeedbacks": [{"hashValue": "a" * 64, "feedbackValue": "Blocked", "tags": []}]}, 422, "invalid_request"),
        ({"count": 1, "hashFeedbacks": [{"hashValue": "a" * 64, "feedbackValue": "Loved", "tags": []}]}, 422, "invalid_request"),
        ({"count": 1, "hashFeedbacks": [{"hashValue": "", "feedbackValue": "Blocked", "tags": []}]}, 422, "invalid_request"),
        ({"count": 1, "hashFeedbacks": [{"hashValue": "a" * 64, "feedbackValue": "Blocked", "tags": ["x"] * 21}]}, 422, "invalid_request"),
        ({"count": 1001, "hashFeedbacks": [{"hashValue": "a" * 64, "feedbackValue": "Blocked"}] * 1001}, 422, "invalid_request"),
        ({"hashFeedbacks": []}, 422, "invalid_request"),
    ],
    ids=["malformed", "count mismatch", "unknown value", "empty hash", "too many tags", "too many", "no count"],
)
def test_bad_feedback_changes_nothing(
    body, status: int, code: str, server: ServerHandle, client: httpx.Client, platform: PlatformKeys, db_url: str
) -> None:
    image = image_item("fb")
    create_case(client, [image])
    headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    before = snapshot(db_url)
    if isinstance(body, bytes):
        response = httpx.post(f"{server.url}/v1/SubmitFeedback", content=body, headers={**headers, "Content-Type": "application/json"})
    else:
        response = httpx.post(f"{server.url}/v1/SubmitFeedback", json=body, headers=headers)
    assert_error(response, status, code)
    assert snapshot(db_url) == before


def test_feedback_on_unknown_hashes_is_counted_not_stored(server: ServerHandle, client: httpx.Client, platform, db_url: str) -> None:
    image = image_item("known")
    number, key, _ = create_case(client, [image])
    headers = {"Ocp-Apim-Subscription-Key": platform.subscription_key, "x-functions-key": platform.function_key}
    body = {
        "count": 2,
        "hashFeedbacks": [
            {"hashValue": image["pdq"][0]["hash"], "feedbackValue": "NotBlocked", "tags": []},
            {"hashValue": "f" * 64, "feedbackValue": "Blocked", "tags": []},
        ],
    }
    response = httpx.post(f"{server.url}/v1/SubmitFeedback", json=body, headers=headers)
    assert response.status_code == 200 and response.json() == {"count": 1, "unknownHashes": 1}
    assert len(snapshot(db_url)["feedback"]) == 1
    # The latest feedback of a platform on a hash replaces its earlier one.
    body = {"count": 1, "hashFeedbacks": [{"hashValue": image["pdq"][0]["hash"], "feedbackValue": "Blocked", "tags": []}]}
    httpx.post(f"{server.url}/v1/SubmitFeedback", json=body, headers=headers)
    status = client.get(f"/v1/cases/{number}", headers=bearer(key)).json()
    assert status["feedback"] == [{"value": "Blocked", "platforms": 1}]


def test_platform_names_are_unique(server: ServerHandle, platform: PlatformKeys) -> None:
    with pytest.raises(ValueError, match="already exists"):
        server.storage.add_platform(platform.name, [])
    with pytest.raises(ValueError):
        server.storage.add_platform("   ", [])


def test_meta_reference_tmk_files_travel_byte_for_byte(
    server: ServerHandle, client: httpx.Client, platform: PlatformKeys, data_dir
) -> None:
    """Real .tmk files (Meta's reference outputs) are accepted and reach platforms unchanged."""
    files = sorted((data_dir / "expected" / "tmk").glob("*.tmk"))
    assert files
    videos = [video_item(f.stem, frames=1, tmk=False) | {"tmk": base64.b64encode(f.read_bytes()).decode()} for f in files]
    create_case(client, videos)
    records, _ = everything(stopncii(server, platform))
    served = sorted(base64.b64decode(v) for t, v in records if t is StopNCIISignalType.VideoTMK)
    assert served == sorted(f.read_bytes() for f in files)


def test_a_picture_turned_and_mirrored_is_eight_ordinary_pdq_records_counted_once_each(
    server: ServerHandle, client: httpx.Client, platform: PlatformKeys
) -> None:
    """Takeback sends a photo's PDQ in all eight orientations; platforms see plain ImagePDQ signals."""
    image = image_item("turned", pdq_count=8)
    image["pdq"].append(dict(image["pdq"][3]))  # one repeated (a symmetric picture): one fingerprint, not two
    response = client.post(
        "/v1/cases", json=create_body([image], new_case_key()), headers={"Idempotency-Key": idempotency_key()}
    )
    assert response.status_code == 422 and "pdq" in response.text  # nine is more than eight: refused whole
    image["pdq"].pop()
    image["pdq"][7] = dict(image["pdq"][3])
    _, _, status = create_case(client, [image])
    assert status["fingerprint_count"] == 2 + 7  # MD5, SHA-256 and seven distinct PDQ hashes
    records, _ = everything(stopncii(server, platform))
    assert {value for kind, value in records if kind is StopNCIISignalType.ImagePDQ} == {
        entry["hash"] for entry in image["pdq"]
    }
