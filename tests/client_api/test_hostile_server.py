"""IntakeClient against servers that misbehave on purpose (issue #12, items 6 and 7), for real, on loopback.

Each server is a raw socket on 127.0.0.1 that reads the request and then answers the way an attacker (or a
broken proxy) would: one byte every so often, a gzip bomb, a body that claims gigabytes. Every call is made
on a helper thread with a hard join timeout, so a client that still waits forever fails its test instead of
hanging the run.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client_api import (
    BundleError,
    CaseCredentials,
    ClientError,
    IntakeClient,
    InvalidServiceAddress,
    RetryPolicy,
    ServiceUnavailable,
    UnexpectedResponse,
    load_bundle,
    new_case_key,
)
from client_api.keys import case_number_check_character

ONCE = RetryPolicy(attempts=1)
NUMBER = "ABC-234-DEF" + case_number_check_character("ABC234DEF")


Answerer = Callable[[socket.socket, threading.Event], object]


class HostileServer:
    """A loopback server answering every request with ``answer(connection, stopping)``, until it is closed."""

    def __init__(self, answer: Answerer) -> None:
        self._answer = answer
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            received = b""
            try:
                while b"\r\n\r\n" not in received:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    received += chunk
                self._answer(connection, self._stop)
            except OSError:
                return  # the client gave up and closed: what we want

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Answerer], HostileServer]]:
    servers: list[HostileServer] = []

    def start(answer: Answerer) -> HostileServer:
        servers.append(HostileServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def call_with_limit(call: Callable[[], object], limit: float) -> tuple[object, float]:
    """Run ``call`` on a thread; its result or exception, and the seconds it took. Fails after ``limit``."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        pytest.fail(f"the client was still waiting after {limit} s")
    return outcome[0], time.monotonic() - started


def ask_status(client: IntakeClient, limit: float) -> tuple[object, float]:
    """``client.status`` of some case through ``call_with_limit``; the client is closed afterwards."""
    with client:
        return call_with_limit(lambda: client.status(CaseCredentials(NUMBER, new_case_key())), limit)


def drip(data: bytes, every: float) -> Answerer:
    def answer(connection: socket.socket, stop: threading.Event) -> None:
        for byte in data:
            if stop.is_set():
                return
            connection.sendall(bytes([byte]))
            time.sleep(every)
        while not stop.wait(every):
            connection.sendall(b" ")  # then keep the line busy for ever

    return answer


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", id="headers"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
                     id="body"),
    ],
)
def test_a_server_dripping_one_byte_at_a_time_is_given_up_on_at_the_deadline(hostile, head: bytes) -> None:
    server = hostile(drip(head, 0.05))
    client = IntakeClient(server.url, retries=RetryPolicy(attempts=3, backoff=0.01), deadline=1.5)
    outcome, seconds = ask_status(client, limit=20)
    assert isinstance(outcome, ServiceUnavailable), outcome
    assert "too long" in str(outcome)
    assert seconds < 4  # one deadline, no retries of a server that is this slow on purpose


def test_every_client_has_a_deadline_by_default() -> None:
    from client_api.client import DEFAULT_DEADLINE

    assert 0 < DEFAULT_DEADLINE <= 120


def _gzip_of_zeros(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    block = bytes(1024 * 1024)
    return b"".join([compressor.compress(block) for _ in range(megabytes)] + [compressor.flush()])


def test_a_gzip_bomb_answer_is_refused_without_unpacking_it(hostile) -> None:
    bomb = _gzip_of_zeros(300)  # 300 MB of zeros in about 300 KB
    assert len(bomb) < 400_000
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(bomb)}\r\n\r\n").encode()
    server = hostile(lambda connection, _: connection.sendall(head + bomb))
    tracemalloc.start()
    try:
        outcome, _ = ask_status(IntakeClient(server.url, retries=ONCE), limit=30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, UnexpectedResponse), outcome
    assert peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_an_answer_claiming_gigabytes_is_refused_before_it_is_read(hostile) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{"
    server = hostile(lambda connection, stop: (connection.sendall(head), stop.wait(10)))
    outcome, seconds = ask_status(IntakeClient(server.url, retries=ONCE), limit=20)
    assert isinstance(outcome, UnexpectedResponse), outcome
    assert seconds < 2


def test_a_large_but_honest_json_answer_within_the_limit_is_read(hostile) -> None:
    status = {"case_number": NUMBER, "program": "adult", "state": "active", "created_on": "2026-11-22",
              "updated_on": "2026-11-22", "item_count": 1, "fingerprint_count": 2,
              "feedback": [{"value": "PendingReview", "platforms": i} for i in range(5000)]}
    body = gzip.compress(json.dumps(status).encode())
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    server = hostile(lambda connection, _: connection.sendall(head + body))
    outcome, _ = ask_status(IntakeClient(server.url, retries=ONCE), limit=20)
    assert not isinstance(outcome, BaseException), outcome
    assert len(outcome.feedback) == 5000


# -- addresses (item 7) -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "address",
    ["https://xn--ls8h.example", "https://xn--.example", "https://xn--zz-.example", "https://exa mple.org",
     "https://[::1", "https://example.org:99999", "https://example.org:-1", "https://%zz", "https://\x00.org",
     "https://" + "a" * 300 + ".org", "https://ex\u00e4mple.org/\udcff", "https://\u200b.org", "ftp://example.org",
     "", "https://", "//example.org", "https://user@example.org", "https://example.org\r\nX: y"],
)
def test_an_unusable_service_address_is_a_coded_error_never_a_traceback(address: str) -> None:
    with pytest.raises(ClientError) as caught:
        IntakeClient(address).close()
    assert caught.value.code in ("bad_address", "insecure")


@pytest.mark.slow
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.text(), st.builds(lambda host: f"https://{host}", st.text(min_size=1)),
                 st.builds(lambda host, rest: f"https://{host}.example/{rest}", st.text(), st.text())))
def test_any_text_as_a_service_address_is_accepted_or_a_coded_error(address: str) -> None:
    try:
        client = IntakeClient(address)
    except ClientError:
        return
    client.close()


def test_an_idna_address_the_cli_is_given_is_a_message_not_a_traceback(capsys, monkeypatch) -> None:
    from desktop.cli import main

    monkeypatch.setenv("TAKEBACK_CASE_KEY", new_case_key())
    status = main(["status", "--intake", "https://xn--ls8h.example", NUMBER])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err
    assert InvalidServiceAddress.default_message in captured.err


# -- bundles (item 7) ---------------------------------------------------------------------------------------------

VALID_ITEM = {"kind": "video", "md5": "0" * 32, "sha256": "0" * 64, "tmk": None,
              "vpdq": [{"frame": 0, "timestamp": 0.0, "hash": "0" * 64, "quality": 100}]}


def _bundle_text(item_json: str) -> str:
    return '{"format": "takeback-bundle", "version": 1, "program": "adult", "items": [' + item_json + "]}"


@pytest.mark.parametrize(
    "field, value",
    [("frame", "9" * 5000), ("frame", "1" + "0" * 100), ("frame", "100000001"), ("timestamp", "1e300"),
     ("timestamp", "1" + "0" * 4000), ("quality", "9" * 5000), ("frame", "-1"), ("timestamp", "NaN"),
     ("timestamp", "Infinity")],
)
def test_a_bundle_with_an_absurd_number_is_a_damaged_bundle(tmp_path, field: str, value: str) -> None:
    entry = dict(VALID_ITEM["vpdq"][0])
    entry[field] = "@"
    item = dict(VALID_ITEM, vpdq=[entry])
    path = tmp_path / "absurd.takeback"
    path.write_text(_bundle_text(json.dumps(item).replace('"@"', value)))
    with pytest.raises(BundleError):
        load_bundle(path)


def test_a_bundle_holding_a_5000_digit_version_is_a_damaged_bundle(tmp_path) -> None:
    path = tmp_path / "version.takeback"
    path.write_text('{"format": "takeback-bundle", "version": ' + "9" * 5000 + "}")
    with pytest.raises(BundleError):
        load_bundle(path)


def test_bundle_submit_of_a_5000_digit_integer_is_a_message_not_a_traceback(tmp_path, capsys, monkeypatch) -> None:
    from desktop.cli import main

    entry = dict(VALID_ITEM["vpdq"][0], frame="@")
    path = tmp_path / "digits.takeback"
    path.write_text(_bundle_text(json.dumps(dict(VALID_ITEM, vpdq=[entry])).replace('"@"', "9" * 5000)))
    monkeypatch.setenv("TAKEBACK_CASE_KEY", new_case_key())
    status = main(["bundle", "submit", "--intake", "http://127.0.0.1:9", str(path)])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err
    assert "damaged" in captured.err


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=70))
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10),
                                                                                              inner, max_size=5),
                     max_leaves=30)


@pytest.mark.slow
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.one_of(_json, st.fixed_dictionaries({"format": st.just("takeback-bundle"), "version": st.just(1),
                                               "program": st.sampled_from(["adult", "under18", 7]),
                                               "items": st.lists(_json, max_size=3)})))
def test_any_json_document_is_a_bundle_or_a_coded_error(tmp_path, document: object) -> None:
    path = tmp_path / "any.takeback"
    path.write_text(json.dumps(document))
    try:
        load_bundle(path)
    except BundleError:
        pass
