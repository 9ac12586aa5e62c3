"""Items hold only well-formed fingerprints; credentials never show their key; status reads as plain words."""

import datetime as dt

import pytest

import client_api
from client_api import (
    CaseCredentials,
    CaseState,
    Feedback,
    FeedbackValue,
    ImageItem,
    PdqEntry,
    Program,
    VideoItem,
    VpdqEntry,
    new_case_key,
)
from client_api.keys import case_number_check_character
from client_api.models import TMK_FILE_BYTES, TMK_MAGIC

MD5 = "0" * 32
SHA = "a" * 64
PDQ = "f" * 64


def test_every_public_name_is_exported():
    for name in client_api.__all__:
        assert hasattr(client_api, name), name
    assert len(set(client_api.__all__)) == len(client_api.__all__)


def test_importing_the_client_does_not_import_hashing_or_qt():
    import subprocess
    import sys

    code = "import sys, client_api; print(sorted(m for m in sys.modules if m.split('.')[0] in ('hashing', 'PySide6', 'keyring')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_image_item_takes_one_or_two_pdq_hashes():
    assert ImageItem(MD5, SHA, (PdqEntry(PDQ, 100),)).pdq[0].quality == 100
    ImageItem(MD5, SHA, (PdqEntry(PDQ, 100), PdqEntry("e" * 64, 40)))
    with pytest.raises(ValueError):
        ImageItem(MD5, SHA, ())
    with pytest.raises(ValueError):
        ImageItem(MD5, SHA, (PdqEntry(PDQ, 1),) * 3)
    with pytest.raises(TypeError):
        ImageItem(MD5, SHA, [PdqEntry(PDQ, 1)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda: PdqEntry("F" * 64, 50),  # upper case: the protocol's hex is lowercase
        lambda: PdqEntry("f" * 63, 50),
        lambda: PdqEntry("g" * 64, 50),
        lambda: PdqEntry(PDQ, 101),
        lambda: PdqEntry(PDQ, -1),
        lambda: ImageItem("0" * 31, SHA, (PdqEntry(PDQ, 1),)),
        lambda: ImageItem(MD5, "a" * 65, (PdqEntry(PDQ, 1),)),
        lambda: VpdqEntry(-1, 0.0, PDQ, 50),
        lambda: VpdqEntry(0, float("nan"), PDQ, 50),
        lambda: VpdqEntry(0, float("inf"), PDQ, 50),
        lambda: VideoItem(MD5, SHA, (), tmk=b""),
        lambda: VideoItem(MD5, SHA, (), tmk=b"\0" * TMK_FILE_BYTES),  # right size, not a .tmk file
        lambda: VideoItem(MD5, SHA, (), tmk=TMK_MAGIC + b"\0" * 10),  # a truncated .tmk file
        lambda: VideoItem(MD5, SHA, (VpdqEntry(0, 0.0, PDQ, 50),) * 20_001),
    ],
)
def test_malformed_fingerprints_are_refused_when_built(build):
    with pytest.raises(ValueError):
        build()


@pytest.mark.parametrize(
    "build",
    [lambda: PdqEntry(PDQ, True), lambda: PdqEntry(b"f" * 64, 1), lambda: VideoItem(MD5, SHA, (), tmk="abc")],
)
def test_wrong_types_are_type_errors(build):
    with pytest.raises(TypeError):
        build()


def test_a_video_without_tmk_or_frames_is_still_an_item():
    item = VideoItem(MD5, SHA, ())
    assert item.tmk is None and item.vpdq == ()


def test_credentials_never_show_their_key():
    key = new_case_key()
    number = "ABC234DEF" + case_number_check_character("ABC234DEF")
    credentials = CaseCredentials(number.lower(), key.lower())
    assert credentials.case_key == key
    assert credentials.case_number == f"{number[:3]}-{number[3:6]}-{number[6:]}"
    for shown in (repr(credentials), str(credentials), f"{credentials}", repr([credentials])):
        assert key not in shown and key.lower() not in shown
        assert number[:3] in shown


def test_status_values_are_enums_with_the_wire_values():
    from client_api._wire import status_from_json

    status = status_from_json({
        "case_number": "ABC-234-DEF" + case_number_check_character("ABC234DEF"), "program": "under18",
        "state": "withdrawn", "created_on": "2026-11-20", "updated_on": "2026-11-22", "item_count": 1,
        "fingerprint_count": 3,
        "feedback": [{"value": "Blocked", "platforms": 2}, {"value": "SomethingNewer", "platforms": 1}],
    })
    assert status.program is Program.UNDER_18 and status.program == "under18"
    assert status.state is CaseState.WITHDRAWN and status.state == "withdrawn"
    # A value only a newer service knows is left out, as an unknown field would be, instead of failing the status.
    assert status.feedback == (Feedback(FeedbackValue.BLOCKED, 2),)
    assert FeedbackValue.BLOCKED == "Blocked"


def test_metas_reference_tmk_files_are_accepted_as_they_are(data_dir):
    for path in sorted((data_dir / "expected" / "tmk").glob("*.tmk")):
        assert VideoItem(MD5, SHA, (), tmk=path.read_bytes()).tmk.startswith(TMK_MAGIC)


def test_the_wait_is_said_in_words():
    from client_api import TooManyAttempts

    assert "Wait a minute" in str(TooManyAttempts(30))
    assert "Wait about 15 minutes" in str(TooManyAttempts(900))
    assert "Wait a while" in str(TooManyAttempts(None))
