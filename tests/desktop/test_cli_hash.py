"""``takeback hash``: the JSON-lines contract, the table, exit statuses, and no tracebacks for file problems."""

from __future__ import annotations

import base64
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop.cli import main
from hashing import TmkHash
from tests._unreadable import unreadable

REPO = Path(__file__).resolve().parents[2]
IMAGE_KEYS = {"path", "kind", "md5", "sha256", "pdq", "pdq_dihedral", "phash", "warnings"}
TRANSFORMS = ["rotate90", "rotate180", "rotate270", "flip_horizontal", "flip_vertical", "transpose", "transverse"]
ERROR_KEYS = {"path", "kind", "code", "message"}


def run_json(capsys, *args: str | Path) -> tuple[int, list[dict]]:
    status = main(["hash", "--json", *map(str, args)])
    out = capsys.readouterr().out
    return status, [json.loads(line) for line in out.splitlines()]


def is_hex(text: str, length: int) -> bool:
    return len(text) == length and text == text.lower() and all(c in "0123456789abcdef" for c in text)


@pytest.fixture
def photo_file(tmp_path) -> Path:
    path = tmp_path / "photo.png"
    with Image.open(REPO / "tests" / "data" / "images" / "bridge-mods" / "aaa-orig.jpg") as image:
        image.reduce(4).save(path)
    return path


def test_json_lines_in_input_order_with_the_documented_fields(capsys, tmp_path, photo_file, data_dir):
    rotated = data_dir / "images" / "exif-rotn" / "exif-rotn-6.jpg"
    letter = tmp_path / "letter.jpg"
    letter.write_text("not a photo")
    missing = tmp_path / "missing.jpg"
    status, records = run_json(capsys, photo_file, missing, rotated, letter)
    assert status == 1
    assert [record["path"] for record in records] == [str(photo_file), str(missing), str(rotated), str(letter)]
    assert [record["kind"] for record in records] == ["image", "error", "image", "error"]
    for record in (records[0], records[2]):
        assert set(record) == IMAGE_KEYS
        assert is_hex(record["md5"], 32) and is_hex(record["sha256"], 64) and is_hex(record["phash"], 16)
        for pdq in record["pdq"]:
            assert set(pdq) == {"hash", "quality", "orientation"}
            assert is_hex(pdq["hash"], 64) and 0 <= pdq["quality"] <= 100
        assert [turned["transform"] for turned in record["pdq_dihedral"]] == TRANSFORMS
        for turned in record["pdq_dihedral"]:
            assert set(turned) == {"transform", "hash", "quality"}
            assert is_hex(turned["hash"], 64) and 0 <= turned["quality"] <= 100
        assert record["warnings"] == []
    assert [pdq["orientation"] for pdq in records[0]["pdq"]] == ["display"]
    assert [pdq["orientation"] for pdq in records[2]["pdq"]] == ["display", "stored"]
    assert records[2]["md5"] == "431d0ee67232d98fbdff2e4b55905195"
    # The stored pixels of a photo turned by EXIF orientation 6 are the shown picture turned a quarter anticlockwise.
    turned = {item["transform"]: item["hash"] for item in records[2]["pdq_dihedral"]}
    assert turned["rotate90"] == records[2]["pdq"][1]["hash"]
    for record, code in ((records[1], "not_found"), (records[3], "unsupported")):
        assert set(record) == ERROR_KEYS
        assert record["code"] == code
        assert "missing.jpg" not in record["message"] and "letter.jpg" not in record["message"]


def test_all_good_exits_zero_and_warnings_are_code_and_message(capsys, data_dir):
    status, records = run_json(capsys, data_dir / "images" / "misc" / "small.jpg")
    assert status == 0
    assert [warning["code"] for warning in records[0]["warnings"]] == ["low_quality"]
    assert set(records[0]["warnings"][0]) == {"code", "message"}


def test_animated_image_also_lists_its_frames(capsys, tmp_path, photo_file):
    with Image.open(photo_file) as image:
        frames = [image.convert("RGB").rotate(angle) for angle in (0, 90, 180)]
    path = tmp_path / "moving.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=200)
    _status, records = run_json(capsys, path)
    assert [(frame["frame"], frame["timestamp"]) for frame in records[0]["vpdq"]] == [(0, 0.0), (1, 0.2), (2, 0.4)]
    assert set(records[0]["vpdq"][0]) == {"frame", "timestamp", "quality", "hash"}


def test_folders_are_walked(capsys, tmp_path, photo_file):
    (tmp_path / "sub").mkdir()
    second = tmp_path / "sub" / "again.png"
    second.write_bytes(photo_file.read_bytes())
    (tmp_path / "readme.txt").write_text("skipped inside folders")
    status, records = run_json(capsys, tmp_path)
    assert status == 0
    assert [record["path"] for record in records] == [str(photo_file), str(second)]
    assert records[0]["pdq"] == records[1]["pdq"]


def test_nothing_found_is_a_failure(capsys, tmp_path):
    assert main(["hash", str(tmp_path)]) == 1
    assert "No photos or videos" in capsys.readouterr().err


def test_unreadable_file_is_reported_and_the_rest_go_on(capsys, photo_file, tmp_path):
    other = tmp_path / "other.png"
    other.write_bytes(photo_file.read_bytes())
    with unreadable(photo_file):
        status, records = run_json(capsys, photo_file, other)
    assert status == 1
    assert [record.get("code", record["kind"]) for record in records] == ["unreadable", "image"]


@pytest.mark.parametrize(
    "args",
    [[], ["--vpdq-every", "-1", "x.jpg"], ["--vpdq-every", "soon", "x.jpg"], ["--no-tmk", "--tmk-dir", "out", "x"],
     ["--bogus", "x.jpg"]],
    ids=["no-paths", "negative-interval", "not-a-number", "tmk-dir-without-tmk", "unknown-option"],
)
def test_bad_usage_exits_two(capsys, args):
    with pytest.raises(SystemExit) as caught:
        main(["hash", *args])
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_table_lists_every_file_with_a_summary(capsys, tmp_path, photo_file):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + bytes(100))
    status = main(["hash", str(photo_file), str(broken)])
    captured = capsys.readouterr()
    assert status == 1
    lines = captured.out.splitlines()
    assert lines[0].split()[:3] == ["STATUS", "KIND", "QUALITY"]
    assert lines[1].startswith("ok") and str(photo_file) in lines[1]
    assert lines[2].startswith("FAILED") and "(corrupt)" in lines[2] and str(broken) in lines[2]
    assert "damaged or incomplete" in lines[3]
    assert lines[-1] == "1 fingerprinted, 1 could not be. Nothing was sent."
    assert captured.err == ""  # no progress line when stderr is not a terminal


@pytest.mark.slow
def test_real_command_line_exit_statuses_and_no_tracebacks(tmp_path, photo_file):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    command = [sys.executable, "-W", "error", "-m", "desktop", "hash", "--json"]
    ok = subprocess.run([*command, str(photo_file)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["kind"] == "image"
    bad = subprocess.run([*command, str(garbage), str(photo_file)], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1
    assert [json.loads(line)["kind"] for line in bad.stdout.splitlines()] == ["error", "image"]
    assert bad.stderr == ""
    usage = subprocess.run([*command], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


@pytest.mark.slow
def test_progress_goes_to_a_terminal_only(photo_file):
    controller, terminal = pty.openpty()
    try:
        try:
            finished = subprocess.run(
                [sys.executable, "-m", "desktop", "hash", str(photo_file)], cwd=REPO, stdout=subprocess.PIPE,
                stderr=terminal, text=True, timeout=120,
            )
        finally:
            os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: everything has been read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert finished.returncode == 0
    assert b"Fingerprinting file 1" in shown
    assert "Fingerprinting" not in finished.stdout  # the table itself stays clean


VIDEO = REPO / "tests" / "data" / "videos" / "test-padded-dimensions.mp4"
VIDEO_KEYS = {"path", "kind", "md5", "sha256", "duration_s", "frame_count", "vpdq", "warnings"}


def reference_vpdq() -> dict[int, str]:
    lines = (REPO / "tests" / "data" / "expected" / "vpdq" / "test-padded-dimensions.txt").read_text().splitlines()
    return {int(frame): digest for frame, _quality, digest, _time in (line.split(",") for line in lines)}


def test_video_json_record(capsys):
    status, records = run_json(capsys, "--no-tmk", VIDEO)
    assert status == 0
    (record,) = records
    assert set(record) == VIDEO_KEYS and record["kind"] == "video"
    assert is_hex(record["md5"], 32) and is_hex(record["sha256"], 64)
    assert record["frame_count"] == 150 and record["duration_s"] == pytest.approx(5.0, abs=0.1)
    reference = reference_vpdq()
    assert [frame["frame"] for frame in record["vpdq"]] == [0, 30, 60, 90, 120]  # one a second by default
    for frame in record["vpdq"]:
        assert set(frame) == {"frame", "timestamp", "quality", "hash"} and is_hex(frame["hash"], 64)
        ours, theirs = int(frame["hash"], 16), int(reference[frame["frame"]], 16)
        assert (ours ^ theirs).bit_count() <= 31  # vPDQ's own match distance
        assert frame["timestamp"] == pytest.approx(frame["frame"] / 30, abs=0.01)


@pytest.mark.slow
def test_video_every_frame_and_tmk_file(capsys, tmp_path):
    status, records = run_json(capsys, "--vpdq-every", "0", "--tmk-dir", tmp_path / "tmk", VIDEO)
    assert status == 0
    (record,) = records
    assert len(record["vpdq"]) == 150
    saved = (tmp_path / "tmk" / "test-padded-dimensions.tmk").read_bytes()
    assert base64.b64decode(record["tmk"]) == saved
    assert TmkHash.from_bytes(saved).frame_count > 0


@pytest.mark.slow
def test_commands_that_fingerprint_nothing_do_not_load_the_decoders():
    # `takeback status` should start quickly: building the parser must not import hashing (numpy, Pillow).
    code = "import sys; from desktop.cli import build_parser; build_parser(); print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    modules = set(loaded.stdout.strip("[]\n").replace("'", "").split(", "))
    assert not modules & {"hashing", "numpy", "PIL", "av", "cv2"}
