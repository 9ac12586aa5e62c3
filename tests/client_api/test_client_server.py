"""IntakeClient against the real intake server on loopback (the session's ``intake_server``)."""

import logging
import socket
import uuid

import httpx
import pytest

from client_api import (
    CaseCredentials,
    CaseNotFound,
    CaseState,
    CaseWithdrawn,
    Feedback,
    FeedbackValue,
    IntakeClient,
    ServiceUnavailable,
    Program,
    RetryPolicy,
    new_case_key,
    new_idempotency_key,
)
from client_api.keys import case_number_check_character
from tests.loopback import RecordingProxy

FAST = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05)


@pytest.fixture
def client(intake_server):
    with IntakeClient(intake_server.url, retries=FAST, client_version="0.1.0") as client:
        yield client


@pytest.fixture(scope="module")
def platform(intake_server):
    """A platform registered with the service, reading the hash list as platforms do (plain HTTP here)."""
    keys = intake_server.app.state.storage.add_platform(f"test-platform-{uuid.uuid4().hex[:8]}", [])
    headers = {"Ocp-Apim-Subscription-Key": keys.subscription_key, "x-functions-key": keys.function_key}
    with httpx.Client(base_url=intake_server.url, headers=headers, timeout=10) as http:
        yield http


def case_numbers_for(platform, pdq_hex: str) -> set[str]:
    """Every case reference the hash list holds this PDQ hash under, from the start of the list."""
    numbers: set[str] = set()
    params = {"startTimestamp": 0, "pageSize": 1000}
    while True:
        page = platform.get("/v1/FetchHashes", params=params).raise_for_status().json()
        for record in page["hashRecords"]:
            if record["hashValue"] == pdq_hex:
                numbers.update(record["caseNumbers"])
        if not page["hasMoreRecords"]:
            return numbers
        params = {"startTimestamp": 0, "pageSize": 1000, "nextPageToken": page["nextPageToken"]}


def compact(number: str) -> str:
    return number.replace("-", "")


def test_create_status_add_withdraw(client, some_items, make_image_item):
    case_key = new_case_key()
    created = client.create_case(Program.UNDER_18, some_items, case_key=case_key, idempotency_key=new_idempotency_key())
    assert created.program is Program.UNDER_18 and created.state is CaseState.ACTIVE
    assert created.item_count == len(some_items)
    assert created.fingerprint_count >= len(some_items)
    credentials = CaseCredentials(created.case_number, case_key)

    assert client.status(credentials) == created
    typed = CaseCredentials(compact(created.case_number).lower(), case_key.lower())
    assert client.status(typed).case_number == created.case_number

    added = client.add_items(credentials, [make_image_item()], idempotency_key=new_idempotency_key())
    assert added.item_count == len(some_items) + 1

    withdrawn = client.withdraw(credentials)
    assert withdrawn.state is CaseState.WITHDRAWN
    assert client.withdraw(credentials).state is CaseState.WITHDRAWN  # twice is fine
    with pytest.raises(CaseWithdrawn):
        client.add_items(credentials, [make_image_item()], idempotency_key=new_idempotency_key())
    assert client.status(credentials).item_count == len(some_items) + 1


def test_a_wrong_key_and_an_unknown_case_read_the_same(client, some_items):
    created = client.create_case(Program.ADULT, some_items[:1], case_key=new_case_key(),
                                 idempotency_key=new_idempotency_key())
    unknown_body = "XYZ987MNP" if compact(created.case_number)[:9] != "XYZ987MNP" else "XYZ987MNQ"
    with pytest.raises(CaseNotFound) as wrong_key:
        client.status(CaseCredentials(created.case_number, new_case_key()))
    with pytest.raises(CaseNotFound) as unknown:
        client.status(CaseCredentials(unknown_body + case_number_check_character(unknown_body), new_case_key()))
    assert str(wrong_key.value) == str(unknown.value)


def test_a_lost_answer_is_retried_and_the_service_keeps_one_case(intake_server, platform, some_items):
    """The server handles the first POST but its answer is dropped on the way back; the client sends it again."""
    key, case_key = new_idempotency_key(), new_case_key()
    with RecordingProxy(intake_server.url, drop_answers=1, drop_after=b"POST ") as proxy:
        with IntakeClient(proxy.url, retries=FAST) as client:
            status = client.create_case(Program.ADULT, some_items, case_key=case_key, idempotency_key=key)
        assert proxy.dropped == 1 and proxy.connections == 2
    assert proxy.sent.count(b"POST /v1/cases HTTP/1.1") == 2
    # The hash list holds these fingerprints under one case (platforms see a case pseudonym, not the number).
    for item in some_items:
        if hasattr(item, "pdq"):
            assert len(case_numbers_for(platform, item.pdq[0].hash)) == 1
    with IntakeClient(intake_server.url, retries=FAST) as client:
        again = client.create_case(Program.ADULT, some_items, case_key=case_key, idempotency_key=key)
    assert again.case_number == status.case_number


def test_a_lost_answer_to_adding_items_adds_them_once(intake_server, client, some_items, make_image_item):
    case_key = new_case_key()
    created = client.create_case(Program.ADULT, some_items[:1], case_key=case_key, idempotency_key=new_idempotency_key())
    credentials = CaseCredentials(created.case_number, case_key)
    with RecordingProxy(intake_server.url, drop_answers=1, drop_after=b"POST ") as proxy:
        with IntakeClient(proxy.url, retries=FAST) as retrying:
            added = retrying.add_items(credentials, [make_image_item(), make_image_item()],
                                       idempotency_key=new_idempotency_key())
        assert proxy.dropped == 1
    assert added.item_count == 3
    assert client.status(credentials).item_count == 3


def test_a_big_submission_reaches_the_real_service_whole(client, make_video_item, make_image_item):
    # 16 videos with TMK (about 350 kB each in base64) do not fit in one 4 MiB request.
    items = [make_video_item(frames=30) for _ in range(16)] + [make_image_item() for _ in range(520)]
    case_key = new_case_key()
    status = client.create_case(Program.ADULT, items, case_key=case_key, idempotency_key=new_idempotency_key())
    assert status.item_count == len(items)
    assert client.status(CaseCredentials(status.case_number, case_key)).item_count == len(items)


def test_platform_feedback_reaches_the_client_as_typed_values(client, platform, some_items):
    case_key = new_case_key()
    created = client.create_case(Program.ADULT, some_items[:1], case_key=case_key, idempotency_key=new_idempotency_key())
    pdq = some_items[0].pdq[0].hash
    feedback = {"count": 1, "hashFeedbacks": [{"hashValue": pdq, "feedbackValue": "Blocked", "tags": []}]}
    platform.post("/v1/SubmitFeedback", json=feedback).raise_for_status()
    status = client.status(CaseCredentials(created.case_number, case_key))
    assert status.feedback == (Feedback(FeedbackValue.BLOCKED, 1),)


def test_a_dead_service_then_a_live_one(intake_server, some_items):
    """Nothing is lost when the service is down: the same call, same keys, works once it is reachable."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    key, case_key = new_idempotency_key(), new_case_key()
    with IntakeClient(dead, retries=FAST) as client, pytest.raises(ServiceUnavailable):
        client.create_case(Program.ADULT, some_items, case_key=case_key, idempotency_key=key)
    with IntakeClient(intake_server.url, retries=FAST) as client:
        assert client.create_case(Program.ADULT, some_items, case_key=case_key, idempotency_key=key).item_count == 4


def test_wrong_keys_never_lock_the_owner_out_of_the_real_service(client, some_items):
    """A stranger who knows the number can try keys all day: each gets "not found", and the owner still gets in."""
    case_key = new_case_key()
    created = client.create_case(Program.ADULT, some_items[:1], case_key=case_key,
                                 idempotency_key=new_idempotency_key())
    for _ in range(20):
        with pytest.raises(CaseNotFound):
            client.status(CaseCredentials(created.case_number, new_case_key()))
    assert client.status(CaseCredentials(created.case_number, case_key)).case_number == created.case_number


def test_nothing_about_the_case_reaches_a_log(intake_server, client, some_items, caplog):
    """Even with every logger at DEBUG (ours, httpx's, httpcore's), no case number, key or fingerprint is logged."""
    caplog.set_level(logging.DEBUG)
    case_key = new_case_key()
    with RecordingProxy(intake_server.url, drop_answers=1, drop_after=b"POST ") as proxy:
        with IntakeClient(proxy.url, retries=FAST) as retrying:
            status = retrying.create_case(Program.ADULT, some_items, case_key=case_key,
                                          idempotency_key=new_idempotency_key())
            credentials = CaseCredentials(status.case_number, case_key)
            retrying.status(credentials)
            with pytest.raises(CaseNotFound):
                retrying.status(CaseCredentials(status.case_number, new_case_key()))
            retrying.withdraw(credentials)
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert caplog.records  # the retry was logged, so logging was on
    for secret in (status.case_number, compact(status.case_number), case_key, some_items[0].md5,
                   some_items[0].sha256, some_items[0].pdq[0].hash):
        assert secret not in logged
