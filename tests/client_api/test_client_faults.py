"""IntakeClient under faults: addresses, TLS, a dead port, a silent or hanging-up server, and misbehaviour.

Real parts where they can produce the fault: a closed port, raw sockets that hang up or never answer, and the
real intake service over HTTPS with a certificate from an untrusted CA. ``httpx.MockTransport`` is used only
for faults the real service cannot produce on demand (5xx, 429 with a short or dated Retry-After, answers that
are not the protocol, cookies). Normal client-server behaviour is in test_client_server.py.
"""

import json
import socket
import ssl
import threading
import time

import httpx
import pytest
import trustme

from client_api import (
    Cancelled,
    CaseCredentials,
    CaseNotFound,
    CaseWithdrawn,
    ImageItem,
    IncompleteSubmission,
    InsecureConnection,
    IntakeClient,
    InvalidServiceAddress,
    PdqEntry,
    Program,
    RequestRejected,
    RetryPolicy,
    ServerError,
    ServiceUnavailable,
    TooManyAttempts,
    UnexpectedResponse,
    UntrustedCertificate,
    new_case_key,
    new_idempotency_key,
)
from client_api.client import MAX_BODY_BYTES, MAX_ITEMS_PER_REQUEST
from client_api.keys import case_number_check_character

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02, max_retry_after=5.0)
NUMBER = "ABC-234-DEF" + case_number_check_character("ABC234DEF")


def status_json(**changes):
    body = {"case_number": NUMBER, "program": "adult", "state": "active", "created_on": "2026-11-22",
            "updated_on": "2026-11-22", "item_count": 1, "fingerprint_count": 2, "feedback": []}
    body.update(changes)
    return body


class Script:
    """A MockTransport handler that answers from a list of responses and records every request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path == "/v1/challenge":  # like a service that asks no proof of work (test_proof_of_work.py)
            return httpx.Response(404)
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def client_with(script, **kwargs):
    return IntakeClient("https://intake.example.org", transport=httpx.MockTransport(script),
                        retries=kwargs.pop("retries", FAST), client_version="9.9.9", **kwargs)


def ok(**changes):
    return httpx.Response(200, json=status_json(**changes))


def credentials():
    return CaseCredentials(NUMBER, new_case_key())


# -- addresses and TLS ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.8.9.10", "http://[::1]:9", "http://localhost:1",
                                 "http://LOCALHOST", "https://intake.example.org/prefix", "https://10.0.0.1"])
def test_https_or_loopback_addresses_are_accepted(url):
    IntakeClient(url).close()


@pytest.mark.parametrize("url", ["http://intake.example.org", "http://10.0.0.1:8000", "http://192.168.1.2",
                                 "http://localhost.example.org", "http://127.0.0.1.nip.io", "http://[::2]"])
def test_plain_http_to_anything_but_this_computer_is_refused(url):
    with pytest.raises(InsecureConnection, match="https://"):
        IntakeClient(url)


@pytest.mark.parametrize("url", ["ftp://intake.example.org", "intake.example.org", "", "https://", "https://a b",
                                 "https://maria:secret@intake.example.org"])
def test_unusable_addresses_get_a_kind_message(url):
    with pytest.raises(InvalidServiceAddress, match="https://example.org"):
        IntakeClient(url)


def test_certificate_verification_cannot_be_turned_off():
    unchecked = ssl.create_default_context()
    unchecked.check_hostname = False
    unchecked.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError):
        IntakeClient("https://intake.example.org", verify=unchecked)
    with pytest.raises(TypeError):
        IntakeClient("https://intake.example.org", verify=False)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The real intake service over HTTPS on loopback, its certificate from a throw-away CA nobody trusts."""
    import uvicorn

    from intake import Settings, Storage, create_app

    authority = trustme.CA()
    certificate = authority.issue_cert("localhost", "127.0.0.1")
    folder = tmp_path_factory.mktemp("intake-tls")
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    certificate.private_key_pem.write_to_path(str(key_file))
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    storage = Storage(f"sqlite:///{folder}/intake.sqlite3")
    storage.migrate()
    storage.dispose()
    app = create_app(Settings(database_url=f"sqlite:///{folder}/intake.sqlite3"))
    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(app, ssl_keyfile=str(key_file), ssl_certfile=str(cert_file), access_log=False,
                            log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"https://localhost:{sock.getsockname()[1]}", authority
    server.should_exit = True
    thread.join(10)


def test_a_certificate_nobody_vouches_for_stops_the_request_before_anything_is_sent(tls_server, some_items):
    url, _ = tls_server
    with IntakeClient(url, retries=FAST) as client, pytest.raises(UntrustedCertificate, match="nothing was sent") as caught:
        client.create_case(Program.ADULT, some_items, case_key=new_case_key(), idempotency_key=new_idempotency_key())
    chain, cause = [], caught.value.__cause__
    while cause is not None:
        chain.append(type(cause))
        cause = cause.__cause__ or cause.__context__
    assert ssl.SSLCertVerificationError in chain


def test_a_private_certificate_authority_can_be_trusted_explicitly(tls_server, some_items):
    url, authority = tls_server
    context = ssl.create_default_context()
    authority.configure_trust(context)
    case_key = new_case_key()
    with IntakeClient(url, retries=FAST, verify=context) as client:
        status = client.create_case(Program.ADULT, some_items, case_key=case_key,
                                    idempotency_key=new_idempotency_key())
        assert client.status(CaseCredentials(status.case_number, case_key)).item_count == len(some_items)


# -- a dead port ---------------------------------------------------------------------------------------------

@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_dead_port_is_retried_then_reported_kindly(closed_port_url):
    with IntakeClient(closed_port_url, retries=FAST) as client:
        with pytest.raises(ServiceUnavailable, match="Your fingerprints are kept") as caught:
            client.status(credentials())
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_server_that_hangs_up_is_retried_with_the_same_idempotency_key(some_items):
    """A real socket that accepts, reads the request and closes without answering, twice; then the answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: list[bytes] = []

    def serve():
        attempt = 0
        while attempt < 3:
            connection, _ = listener.accept()
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += connection.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                if head.startswith(b"GET /v1/challenge"):  # a service that asks no proof of work
                    connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    continue
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(body) < length:
                    body += connection.recv(65536)
                seen.append(head + b"\r\n\r\n" + body)
                if attempt == 2:
                    answer = json.dumps(status_json()).encode()
                    connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                       + f"Content-Length: {len(answer)}\r\n\r\n".encode() + answer)
                attempt += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    key = new_idempotency_key()
    with IntakeClient(f"http://127.0.0.1:{listener.getsockname()[1]}", retries=FAST) as client:
        status = client.create_case(Program.ADULT, some_items, case_key=new_case_key(), idempotency_key=key)
    thread.join(5)
    listener.close()
    assert status.case_number == NUMBER
    assert len(seen) == 3
    bodies = {request.partition(b"\r\n\r\n")[2] for request in seen}
    assert len(bodies) == 1  # byte-identical retries
    assert all(f"idempotency-key: {key}".encode() in request.lower() for request in seen)


# -- 5xx and 429 ---------------------------------------------------------------------------------------------

def test_a_5xx_is_retried_with_the_same_body_and_idempotency_key(some_items):
    script = Script(httpx.Response(503), httpx.Response(502), httpx.Response(201, json=status_json()))
    key = new_idempotency_key()
    with client_with(script) as client:
        client.create_case(Program.ADULT, some_items, case_key=new_case_key(), idempotency_key=key)
    assert len(script.requests) == 3
    assert len({r.content for r in script.requests}) == 1
    assert {r.headers["Idempotency-Key"] for r in script.requests} == {key}


def test_a_lasting_5xx_becomes_a_server_error_after_the_allowed_attempts():
    script = Script(httpx.Response(500))
    with client_with(script) as client, pytest.raises(ServerError, match="try again later"):
        client.status(credentials())
    assert len(script.requests) == FAST.attempts


def test_501_is_not_a_fault_a_retry_can_fix():
    script = Script(httpx.Response(501))
    with client_with(script) as client, pytest.raises(ServerError):
        client.status(credentials())
    assert len(script.requests) == 1


def test_a_dropped_answer_to_a_post_is_retried_with_the_same_key(some_items):
    script = Script(httpx.ReadTimeout("no answer"), httpx.Response(201, json=status_json()))
    with client_with(script) as client:
        client.create_case(Program.UNDER_18, some_items, case_key=new_case_key(), idempotency_key=new_idempotency_key())
    assert len(script.requests) == 2
    assert script.requests[0].headers["Idempotency-Key"] == script.requests[1].headers["Idempotency-Key"]


def test_429_with_an_http_date_is_understood():
    script = Script(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    with client_with(script) as client, pytest.raises(TooManyAttempts) as caught:
        client.status(credentials())
    assert caught.value.retry_after > 3600


def test_429_without_retry_after_backs_off_and_gives_up_after_the_attempts():
    script = Script(httpx.Response(429))
    with client_with(script) as client, pytest.raises(TooManyAttempts, match="Your case is safe"):
        client.status(credentials())
    assert len(script.requests) == FAST.attempts


# -- answers that are not the protocol -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, text="<html>Not Found</html>"),
        httpx.Response(200, text="<html>hello</html>"),
        httpx.Response(200, json={"hello": "world"}),
        httpx.Response(200, json=status_json(state="gone")),
        httpx.Response(200, json=status_json(case_number="ABC-234-DEF0")),
        httpx.Response(200, json=status_json(created_on="yesterday")),
        httpx.Response(200, json=status_json(item_count=-1)),
        httpx.Response(302, headers={"Location": "http://elsewhere.example.org/"}),
        httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")),
    ],
)
def test_answers_that_are_not_the_protocol_say_to_check_the_address(answer):
    with client_with(Script(answer)) as client, pytest.raises(UnexpectedResponse, match="address is right"):
        client.status(credentials())


def test_an_unknown_case_and_a_wrong_key_read_the_same():
    answer = httpx.Response(404, json={"error": {"code": "case_not_found", "message": "No such case."}})
    with client_with(Script(answer)) as client, pytest.raises(CaseNotFound, match="Check both") as caught:
        client.status(credentials())
    assert caught.value.code == "case_not_found"


def test_a_withdrawn_case_refuses_new_items_kindly(some_items):
    answer = httpx.Response(409, json={"error": {"code": "case_withdrawn", "message": "Withdrawn."}})
    with client_with(Script(answer)) as client, pytest.raises(CaseWithdrawn, match="start a new case"):
        client.add_items(credentials(), some_items, idempotency_key=new_idempotency_key())


def test_other_refusals_pass_on_the_services_own_words():
    answer = httpx.Response(400, json={"error": {"code": "bad_item", "message": "Item 2 has a PDQ hash of the wrong length"}})
    with client_with(Script(answer)) as client, pytest.raises(RequestRejected) as caught:
        client.status(credentials())
    assert caught.value.status == 400 and caught.value.server_code == "bad_item"
    assert "Item 2 has a PDQ hash of the wrong length. Nothing was changed." in str(caught.value)



def test_a_refusal_that_already_says_nothing_changed_says_it_once():
    message = "The request could not be understood. Nothing was changed."  # as the intake service words it
    answer = httpx.Response(400, json={"error": {"code": "bad_request", "message": message}})
    with client_with(Script(answer)) as client, pytest.raises(RequestRejected) as caught:
        client.status(credentials())
    assert str(caught.value) == f"The service did not accept this request. {message}"

# -- what the client sends -----------------------------------------------------------------------------------

def test_headers_say_nothing_about_the_machine_and_cookies_are_refused(some_items):
    script = Script(httpx.Response(201, json=status_json(), headers={"Set-Cookie": "track=me; Path=/"}), ok())
    with client_with(script) as client:
        status = client.create_case(Program.ADULT, some_items, case_key=new_case_key(),
                                    idempotency_key=new_idempotency_key())
        client.status(CaseCredentials(status.case_number, new_case_key()))
    create, read = script.requests
    assert create.headers["User-Agent"] == "takeback/9.9.9"
    assert "Authorization" not in create.headers
    assert "Cookie" not in read.headers
    assert read.headers["Authorization"].startswith("Bearer ")
    allowed = {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length", "content-type",
               "idempotency-key", "authorization"}
    for request in script.requests:
        assert set(request.headers.keys()) <= allowed


def test_the_case_key_goes_only_in_the_body_at_creation_and_in_authorization_later(some_items):
    key = new_case_key()
    script = Script(httpx.Response(201, json=status_json()), ok(), ok())
    with client_with(script) as client:
        status = client.create_case(Program.ADULT, some_items, case_key=key.lower(), idempotency_key=new_idempotency_key())
        creds = CaseCredentials(status.case_number, key)
        client.status(creds)
        client.withdraw(creds)
    create, read, withdraw = script.requests
    assert json.loads(create.content)["case_key"] == key
    assert read.headers["Authorization"] == withdraw.headers["Authorization"] == f"Bearer {key}"
    assert key not in str(read.url) and key not in str(withdraw.url)
    assert withdraw.method == "POST" and withdraw.url.path == f"/v1/cases/{NUMBER}/withdraw"
    assert "Idempotency-Key" in withdraw.headers


def test_a_path_prefix_in_the_address_is_kept():
    script = Script(ok())
    with IntakeClient("https://example.org/takeback", transport=httpx.MockTransport(script), retries=FAST) as client:
        client.status(credentials())
    assert script.requests[0].url.path == f"/takeback/v1/cases/{NUMBER}"


# -- big submissions -----------------------------------------------------------------------------------------

def _recording_server():
    """Answers like the service: a POST to /v1/cases opens the case, /items adds to it."""
    count = {"items": 0}

    def answer(request):
        count["items"] += len(json.loads(request.content)["items"])
        code = 201 if request.url.path == "/v1/cases" else 200
        return httpx.Response(code, json=status_json(item_count=count["items"]))

    return Script(answer)


def test_a_big_submission_goes_in_requests_within_the_limits_and_a_retry_replays_them(make_video_item,
                                                                                      make_image_item):
    items = [make_video_item(frames=600) for _ in range(30)] + [make_image_item() for _ in range(700)]
    script = _recording_server()
    key, case_key = new_idempotency_key(), new_case_key()
    with client_with(script) as client:
        status = client.create_case(Program.ADULT, items, case_key=case_key, idempotency_key=key)
    assert status.item_count == len(items)
    paths = [r.url.path for r in script.requests]
    assert paths[0] == "/v1/cases" and set(paths[1:]) == {f"/v1/cases/{NUMBER}/items"} and len(paths) >= 4
    for request in script.requests:
        assert len(request.content) <= MAX_BODY_BYTES
        assert len(json.loads(request.content)["items"]) <= MAX_ITEMS_PER_REQUEST
    assert all(r.headers["Authorization"] == f"Bearer {case_key}" for r in script.requests[1:])
    keys = [r.headers["Idempotency-Key"] for r in script.requests]
    assert keys[0] == key and len(set(keys)) == len(keys)

    again = _recording_server()
    with client_with(again) as client:
        client.create_case(Program.ADULT, items, case_key=case_key, idempotency_key=key)
    assert [r.headers["Idempotency-Key"] for r in again.requests] == keys
    assert [r.content for r in again.requests] == [r.content for r in script.requests]


def test_a_submission_cut_short_keeps_the_credentials_on_the_error(make_image_item):
    items = [make_image_item() for _ in range(MAX_ITEMS_PER_REQUEST + 10)]
    script = Script(httpx.Response(201, json=status_json()), httpx.ConnectError("offline"))
    case_key = new_case_key()
    with client_with(script) as client, pytest.raises(IncompleteSubmission, match="500 of 510") as caught:
        client.create_case(Program.ADULT, items, case_key=case_key, idempotency_key=new_idempotency_key())
    assert caught.value.credentials == CaseCredentials(NUMBER, case_key)
    assert isinstance(caught.value.__cause__, ServiceUnavailable)
    assert case_key not in str(caught.value)


def test_a_call_can_never_wait_forever():
    with pytest.raises(ValueError):
        IntakeClient("https://intake.example.org", timeout=httpx.Timeout(10.0, read=None))
    with pytest.raises(TypeError):
        IntakeClient("https://intake.example.org", timeout=None)  # type: ignore[arg-type]


def test_a_read_timeout_is_a_real_timeout():
    """A real socket that accepts and never answers: the read timeout fires and the person hears it kindly."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        timeout = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
        started = time.monotonic()
        with IntakeClient(url, timeout=timeout, retries=RetryPolicy(attempts=2, backoff=0.01)) as client:
            with pytest.raises(ServiceUnavailable) as caught:
                client.status(credentials())
        assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
        assert time.monotonic() - started < 5
    finally:
        listener.close()


def test_progress_reports_the_share_confirmed_after_each_request(make_image_item):
    items = [make_image_item(1) for _ in range(MAX_ITEMS_PER_REQUEST * 2 + 1)]
    seen: list[float] = []
    with client_with(_recording_server()) as client:
        client.create_case(Program.ADULT, items, case_key=new_case_key(), idempotency_key=new_idempotency_key(),
                           progress=seen.append)
    assert seen == [500 / 1001, 1000 / 1001, 1.0]


def test_cancelling_before_anything_is_sent_sends_nothing(some_items):
    script = Script(ok())
    stop = threading.Event()
    stop.set()
    with client_with(script) as client, pytest.raises(Cancelled, match="Your fingerprints are kept"):
        client.create_case(Program.ADULT, some_items, case_key=new_case_key(), idempotency_key=new_idempotency_key(),
                           cancel=stop)
    assert script.requests == []


def test_cancelling_stops_a_long_wait_before_a_retry():
    script = Script(httpx.Response(503))
    stop = threading.Event()
    patient = RetryPolicy(attempts=5, backoff=30.0, max_backoff=30.0)
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with IntakeClient("https://intake.example.org", transport=httpx.MockTransport(script), retries=patient) as client:
        with pytest.raises(Cancelled):
            client.add_items(credentials(), [ImageItem("0" * 32, "a" * 64, (PdqEntry("f" * 64, 1),))],
                             idempotency_key=new_idempotency_key(), cancel=stop)
    # Full jitter may pick a short first wait; either way the call ends long before 30 s.
    assert time.monotonic() - started < 5


def test_cancelling_after_the_case_is_open_keeps_its_credentials(make_image_item):
    items = [make_image_item(1) for _ in range(MAX_ITEMS_PER_REQUEST + 1)]
    stop = threading.Event()
    script = _recording_server()
    with client_with(script) as client, pytest.raises(IncompleteSubmission) as caught:
        client.create_case(Program.ADULT, items, case_key=new_case_key(), idempotency_key=new_idempotency_key(),
                           cancel=stop, progress=lambda _share: stop.set())
    assert isinstance(caught.value.__cause__, Cancelled)
    assert caught.value.sent == MAX_ITEMS_PER_REQUEST and len(script.requests) == 1


def test_misuse_is_a_programming_error(some_items):
    with client_with(Script(ok())) as client:
        with pytest.raises(ValueError):
            client.create_case(Program.ADULT, [], case_key=new_case_key(), idempotency_key=new_idempotency_key())
        with pytest.raises(ValueError):
            client.create_case(Program.ADULT, some_items, case_key=new_case_key(), idempotency_key="again")
        with pytest.raises(TypeError):
            client.create_case("adult", some_items, case_key=new_case_key(), idempotency_key=new_idempotency_key())
        with pytest.raises(TypeError):
            client.status((NUMBER, new_case_key()))  # type: ignore[arg-type]


def test_the_payload_preview_is_what_is_sent_with_the_key_masked(some_items):
    from client_api import MASKED_CASE_KEY, payload_preview

    script = Script(httpx.Response(201, json=status_json()))
    case_key = new_case_key()
    with client_with(script) as client:
        client.create_case(Program.ADULT, some_items, case_key=case_key, idempotency_key=new_idempotency_key())
    sent = json.loads(script.requests[0].content)
    shown = json.loads(payload_preview(some_items, program=Program.ADULT, client_version="9.9.9"))
    assert shown == {**sent, "case_key": MASKED_CASE_KEY}
    assert case_key not in payload_preview(some_items, program=Program.ADULT)
    assert json.loads(payload_preview(some_items)) == {"items": sent["items"]}
