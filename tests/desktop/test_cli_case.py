"""``takeback submit / status / withdraw / bundle`` against the real intake server on loopback.

Real photos (made here with Pillow, carrying EXIF and GPS) go through the real hashing code and the real
client; a recording proxy in front of the real server keeps every byte sent, to prove only fingerprints leave.
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from client_api import CaseCredentials, IntakeClient, Program, new_case_key, new_idempotency_key
from tests.loopback import RecordingProxy

REPO = Path(__file__).resolve().parents[2]

CAMERA_MAKE = "Fujifilm-Maria-Cam"
CAMERA_MODEL = "X-T5-Serial-7731"
ARTIST = "Maria Gonzalez"
GPS_LATITUDE = (Fraction(40), Fraction(26), Fraction(46302, 1000))  # 40°26'46.302"N
GPS_LONGITUDE = (Fraction(79), Fraction(58), Fraction(56789, 1000))  # 79°58'56.789"W


def takeback(*args: str, key: str | None = None, stdin: str = "", timeout: float = 300,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m desktop ARGS`` in a new interpreter; tests that use it are marked ``slow``."""
    env = {**{k: v for k, v in os.environ.items() if k != "TAKEBACK_CASE_KEY"}, **(env or {})}
    if key is not None:
        env["TAKEBACK_CASE_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=REPO, env=env, input=stdin, capture_output=True, text=True,
        timeout=timeout,
    )


@pytest.fixture
def run_takeback(capsys, monkeypatch):
    """``takeback`` in this process (no interpreter start-up): stdin is a pipe, the key only from the env."""
    from desktop.cli import main

    def run(*args: str, key: str | None = None, stdin: str = "") -> subprocess.CompletedProcess:
        monkeypatch.delenv("TAKEBACK_CASE_KEY", raising=False)
        if key is not None:
            monkeypatch.setenv("TAKEBACK_CASE_KEY", key)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def write_photo(path: Path, seed: int) -> Path:
    """A camera-like JPEG: textured pixels (so PDQ has something to see), EXIF camera, owner and GPS."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((640, 480), Image.Resampling.BICUBIC)
    exif = image.getexif()
    exif[0x010F] = CAMERA_MAKE
    exif[0x0110] = CAMERA_MODEL
    exif[0x013B] = ARTIST
    exif[0x0132] = "2026:11:21 23:14:05"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "W", 4: GPS_LONGITUDE})
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


@pytest.fixture
def photos(tmp_path) -> list[Path]:
    folder = tmp_path / "Maria Gonzalez private"
    folder.mkdir()
    return [write_photo(folder / "maria-gonzalez-bedroom.jpg", 1), write_photo(folder / "maria-at-home-2026.jpg", 2)]


@pytest.fixture
def dead_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def open_case(intake_server, tmp_path):
    """A case opened through the client library (no hashing needed), for the status/withdraw commands."""
    from client_api import ImageItem, PdqEntry

    item = ImageItem(hashlib.md5(b"x").hexdigest(), hashlib.sha256(b"x").hexdigest(), (PdqEntry("ab" * 32, 90),))
    case_key = new_case_key()
    with IntakeClient(intake_server.url) as client:
        status = client.create_case(Program.ADULT, [item], case_key=case_key, idempotency_key=new_idempotency_key())
    return CaseCredentials(status.case_number, case_key)


# -- status and withdraw ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_status_reads_the_key_from_the_environment(intake_server, open_case):
    result = takeback("status", "--intake", intake_server.url, open_case.case_number, key=open_case.case_key)
    assert result.returncode == 0, result.stderr
    assert f"Case {open_case.case_number}" in result.stdout
    assert "This case is active." in result.stdout
    assert "No website or app has reported a match yet." in result.stdout
    assert open_case.case_key not in result.stdout + result.stderr


def test_status_reads_a_piped_key_and_prints_json(intake_server, open_case, run_takeback):
    typed_number = open_case.case_number.replace("-", "").lower()
    result = run_takeback("status", "--intake", intake_server.url, typed_number, "--json", stdin=open_case.case_key + "\n")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["case_number"] == open_case.case_number
    assert status["state"] == "active" and status["item_count"] == 1 and status["feedback"] == []


def test_a_wrong_key_gets_the_not_found_message(intake_server, open_case, run_takeback):
    result = run_takeback("status", "--intake", intake_server.url, open_case.case_number, key=new_case_key())
    assert result.returncode == 1
    assert "could not find a case with this case number and key" in result.stderr


def test_a_mistyped_case_number_is_caught_before_anything_is_sent(dead_url, run_takeback):
    result = run_takeback("status", "--intake", dead_url, "ABC-DEF-GH22", key=new_case_key())
    assert result.returncode == 1
    assert "typing mistake" in result.stderr and "could not reach" not in result.stderr


def test_the_key_is_never_a_command_line_option(run_takeback):
    result = run_takeback("status", "--intake", "http://127.0.0.1:9", "ABC-DEF-GH22", "--key", new_case_key())
    assert result.returncode == 2


def test_withdraw_asks_first_and_does_nothing_without_yes(intake_server, open_case, run_takeback):
    refused = run_takeback("withdraw", "--intake", intake_server.url, open_case.case_number, key=open_case.case_key,
                       stdin="no\n")
    assert refused.returncode == 1 and "Nothing was changed." in refused.stderr
    assert "cannot be undone" in refused.stderr
    with IntakeClient(intake_server.url) as client:
        assert client.status(open_case).state.value == "active"

    confirmed = run_takeback("withdraw", "--intake", intake_server.url, open_case.case_number, key=open_case.case_key,
                         stdin="yes\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "This case is withdrawn." in confirmed.stdout


def test_withdraw_yes_skips_the_question(intake_server, open_case, run_takeback):
    result = run_takeback("withdraw", "--yes", "--json", "--intake", intake_server.url, open_case.case_number,
                      key=open_case.case_key)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "withdrawn"


def test_plain_http_to_another_computer_is_refused_before_the_key_is_asked(open_case, run_takeback):
    result = run_takeback("status", "--intake", "http://intake.example.org", open_case.case_number,
                      stdin=open_case.case_key + "\n")
    assert result.returncode == 1
    assert "https://" in result.stderr and "Case key" not in result.stderr


def _recall_from(keyring_file: Path) -> list[CaseCredentials]:
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    from client_api import keystore

    backend = PlaintextKeyring()
    backend.file_path = str(keyring_file)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        return keystore.recall()
    finally:
        keyring.set_keyring(previous)


@pytest.mark.slow
def test_a_case_is_remembered_in_the_keyring_only_when_asked(intake_server, tmp_path):
    """keyrings.alt's file backend, selected through keyring's own environment variable: there is no OS keyring
    service on the test machine. Its file lives under XDG_DATA_HOME, so we can see whether anything was written."""
    from client_api import ImageItem, PdqEntry, save_bundle

    bundle = tmp_path / "case.takeback"
    item = ImageItem(hashlib.md5(b"y").hexdigest(), hashlib.sha256(b"y").hexdigest(), (PdqEntry("cd" * 32, 90),))
    save_bundle(bundle, Program.ADULT, [item])
    data_home = tmp_path / "data-home"
    data_home.mkdir()
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(data_home)}

    quiet = takeback("bundle", "submit", "--intake", intake_server.url, "--json", str(bundle), env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert list(data_home.rglob("*")) == []

    asked = takeback("bundle", "submit", "--intake", intake_server.url, "--json", "--remember", str(bundle), env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    stored = [p for p in data_home.rglob("*") if p.is_file()]
    assert len(stored) == 1 and "password store" in asked.stderr
    assert _recall_from(stored[0]) == [CaseCredentials(answer["case_number"], answer["case_key"])]


@pytest.mark.slow
def test_remember_without_a_keyring_still_shows_the_case(intake_server, tmp_path):
    from client_api import ImageItem, PdqEntry, save_bundle

    bundle = tmp_path / "case.takeback"
    item = ImageItem(hashlib.md5(b"z").hexdigest(), hashlib.sha256(b"z").hexdigest(), (PdqEntry("ef" * 32, 90),))
    save_bundle(bundle, Program.ADULT, [item])
    result = takeback("bundle", "submit", "--intake", intake_server.url, "--remember", str(bundle),
                      env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 1  # asked for something that could not be done
    assert "Case number:" in result.stdout and "Write down your case number and key" in result.stderr


# -- submit and bundles (real hashing) -------------------------------------------------------------------------

@pytest.mark.slow
def test_submit_prints_a_case_and_skips_files_that_cannot_be_fingerprinted(intake_server, photos, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    result = takeback("submit", "--intake", intake_server.url, "--json", "--program", "under18", *map(str, photos),
                      str(broken))
    assert result.returncode == 1  # one file failed; the rest went
    answer = json.loads(result.stdout)
    assert answer["items"] == 2
    assert [f["path"] for f in answer["failed"]] == [str(broken)]
    assert f"Skipped {broken}" in result.stderr
    credentials = CaseCredentials(answer["case_number"], answer["case_key"])
    with IntakeClient(intake_server.url) as client:
        status = client.status(credentials)
    assert status.item_count == 2 and status.program is Program.UNDER_18


@pytest.mark.slow
def test_submit_in_words_shows_the_number_and_grouped_key(intake_server, photos):
    result = takeback("submit", "--intake", intake_server.url, str(photos[0].parent))
    assert result.returncode == 0, result.stderr
    number = re.search(r"Case number: (\S+)", result.stdout).group(1)
    key = re.search(r"Case key:\s+(\S+)", result.stdout).group(1)
    assert re.fullmatch(r"\w{5}-\w{5}-\w{5}-\w{5}-\w{6}", key)
    with IntakeClient(intake_server.url) as client:
        assert client.status(CaseCredentials(number, key)).item_count == 2


@pytest.mark.slow
def test_when_nothing_can_be_fingerprinted_nothing_is_sent(intake_server, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a photo")
    with RecordingProxy(intake_server.url) as proxy:
        result = takeback("submit", "--intake", proxy.url, str(junk), str(tmp_path / "missing.jpg"))
    assert result.returncode == 1
    assert "nothing was sent" in result.stderr
    assert proxy.sent == b""


@pytest.mark.slow
def test_submit_while_offline_keeps_the_files_and_suggests_a_bundle(photos, dead_url):
    result = takeback("submit", "--intake", dead_url, str(photos[0]))
    assert result.returncode == 1
    assert "We could not reach the service" in result.stderr and "takeback bundle save" in result.stderr


@pytest.mark.slow
def test_a_bundle_saved_offline_is_submitted_later(intake_server, photos, tmp_path):
    out = tmp_path / "for-the-counsellor.takeback"
    saved = takeback("bundle", "save", "--program", "under18", str(out), *map(str, photos))
    assert saved.returncode == 0, saved.stderr
    text = out.read_text()
    assert "maria" not in text.lower() and "Fujifilm" not in text and str(tmp_path) not in text
    sent = takeback("bundle", "submit", "--intake", intake_server.url, "--json", str(out))
    assert sent.returncode == 0, sent.stderr
    answer = json.loads(sent.stdout)
    with IntakeClient(intake_server.url) as client:
        status = client.status(CaseCredentials(answer["case_number"], answer["case_key"]))
    assert status.item_count == 2 and status.program is Program.UNDER_18


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="only Linux file names may be bytes that are not UTF-8")
def test_a_bundle_name_that_is_not_valid_text_is_still_reported(photos, tmp_path):
    out = os.fsdecode(bytes(tmp_path) + b"/bundle-\xff.takeback")  # a name from a Latin-1 USB stick
    saved = takeback("bundle", "save", out, str(photos[0]), env={"PYTHONIOENCODING": "utf-8:strict"})
    assert saved.returncode == 0, saved.stderr
    assert Path(out).exists() and "bundle-\ufffd.takeback" in saved.stdout


def test_too_many_files_for_one_bundle_are_refused_kindly(photos, tmp_path, run_takeback, monkeypatch):
    monkeypatch.setattr("desktop.cli.case.MAX_BUNDLE_ITEMS", 1)
    out = tmp_path / "all.takeback"
    result = run_takeback("bundle", "save", str(out), *map(str, photos))
    assert result.returncode == 1 and "smaller groups" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_a_damaged_bundle_is_refused_kindly(intake_server, tmp_path):
    bad = tmp_path / "bad.takeback"
    bad.write_text('{"format": "takeback-bundle", "version": 7}')
    result = takeback("bundle", "submit", "--intake", intake_server.url, str(bad))
    assert result.returncode == 1 and "newer version of Takeback" in result.stderr


# -- privacy: the real bytes ------------------------------------------------------------------------------------

def _forbidden(photos: list[Path]) -> dict[str, bytes]:
    """Everything about the files, the person and the machine that must never be sent, as the bytes to look for."""
    found = {
        "host name": socket.gethostname().encode(),
        "user name": getpass.getuser().encode(),
        "home folder": str(Path.home()).encode(),
        "camera make": CAMERA_MAKE.encode(),
        "camera model": CAMERA_MODEL.encode(),
        "artist": ARTIST.encode(),
        "artist (first name)": b"Maria",
        "capture time": b"2026:11:21",
        "GPS latitude seconds": b"46.302",
        "GPS latitude (decimal)": b"40.446",
        "GPS longitude seconds": b"56.789",
        "GPS longitude (decimal)": b"79.982",
        "GPS reference": b'"N"',
        "EXIF marker": b"Exif",
    }
    for number, photo in enumerate(photos):
        found[f"file name {number}"] = photo.name.encode()
        found[f"file stem {number}"] = photo.stem.encode()
        found[f"folder {number}"] = photo.parent.name.encode()
        found[f"path {number}"] = str(photo).encode()
        data = photo.read_bytes()
        found[f"pixels {number}"] = data[len(data) // 2 : len(data) // 2 + 24]
    return found


def _contains(haystack: bytes, needle: bytes) -> bool:
    """Whether ``needle`` was sent. A short one (a host name like ``vm``, a user like ``root``) turns up by chance
    inside the random case keys and proof-of-work answers, so it counts only as a word of its own, which is how
    a name that really leaked would appear (in JSON, a header or a path)."""
    if len(needle) >= 6:
        return needle in haystack
    return re.search(rb"(?<![0-9A-Za-z])" + re.escape(needle) + rb"(?![0-9A-Za-z])", haystack) is not None


def _contains_number(haystack: bytes, value: int) -> bool:
    # Decimal digits also occur inside hex hashes; a size would be a number on its own.
    return re.search(rb"(?<![0-9A-Za-z])" + str(value).encode() + rb"(?![0-9A-Za-z])", haystack) is not None


@pytest.mark.slow
def test_only_fingerprints_leave_the_computer(intake_server, photos):
    from hashing import hash_file

    with RecordingProxy(intake_server.url) as proxy:
        result = takeback("submit", "--intake", proxy.url, "--json", *map(str, photos))
    assert result.returncode == 0, result.stderr
    sent = proxy.sent
    assert sent.startswith(b"GET /v1/challenge HTTP/1.1\r\n")  # the proof of work's challenge, then the case
    (case,) = [r for r in proxy.requests if r.method == "POST"]
    assert case.target == "/v1/cases"

    lowered = sent.lower()
    for what, needle in _forbidden(photos).items():
        assert not _contains(lowered, needle.lower()), f"the {what} was sent"
    for photo in photos:
        assert not _contains_number(case.body, photo.stat().st_size), "a file size was sent"

    # ...while the fingerprints themselves did go.
    for photo in photos:
        data = photo.read_bytes()
        assert hashlib.md5(data).hexdigest().encode() in sent
        assert hashlib.sha256(data).hexdigest().encode() in sent
        for entry in hash_file(photo).pdq:
            assert entry.hash.hex.encode() in sent

    for request in proxy.requests:
        assert set(request.headers) <= {"host", "accept", "accept-encoding", "connection", "user-agent",
                                        "content-length", "content-type", "idempotency-key", "proof-of-work"}
        assert re.fullmatch(r"takeback/[\w.+-]+", request.headers["user-agent"])


@pytest.mark.parametrize(("options", "pdq_hashes"), [((), 8), (("--no-dihedral",), 1)])
def test_submit_sends_the_turned_and_mirrored_fingerprints_unless_told_not_to(intake_server, photos, options,
                                                                              pdq_hashes):
    result = takeback("submit", "--intake", intake_server.url, "--json", *options, str(photos[0]))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    with IntakeClient(intake_server.url) as client:
        status = client.status(CaseCredentials(answer["case_number"], answer["case_key"]))
    assert (status.item_count, status.fingerprint_count) == (1, 2 + pdq_hashes)  # MD5, SHA-256 and the PDQ
