"""Offline bundles: a round trip keeps every fingerprint, and every kind of bad file gets a kind message."""

import json
import os
import stat

import pytest

from client_api import BundleError, ImageItem, PdqEntry, Program, load_bundle, save_bundle
from client_api.bundle import MAX_BUNDLE_ITEMS


def _write(path, document):
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


@pytest.fixture
def good_document(tmp_path, some_items):
    path = tmp_path / "good.takeback"
    save_bundle(path, Program.UNDER_18, some_items)
    return json.loads(path.read_text())


def test_a_bundle_round_trip_keeps_every_fingerprint(tmp_path, some_items):
    path = tmp_path / "case.takeback"
    save_bundle(path, Program.UNDER_18, some_items)
    bundle = load_bundle(path)
    assert bundle.program is Program.UNDER_18
    assert bundle.items == some_items
    assert bundle.items[2].tmk == some_items[2].tmk


def test_a_version_1_bundle_is_still_read(tmp_path, good_document):
    """Version 2 only allows more PDQ hashes per image (turned and mirrored), so a version 1 file is valid."""
    good_document["version"] = 1
    assert load_bundle(_write(tmp_path / "old.takeback", good_document)).items


def test_an_image_with_its_seven_turns_fits_a_bundle(tmp_path, some_items):
    image = some_items[0]
    turned = ImageItem(image.md5, image.sha256, tuple(PdqEntry(f"{n:x}" * 64, 90) for n in range(8)))
    save_bundle(tmp_path / "turned.takeback", Program.ADULT, [turned])
    assert load_bundle(tmp_path / "turned.takeback").items == (turned,)


def test_a_bundle_holds_only_the_format_version_programme_and_fingerprints(good_document):
    assert set(good_document) == {"format", "version", "program", "items"}
    assert good_document["format"] == "takeback-bundle" and good_document["version"] == 2
    assert {key for item in good_document["items"] for key in item} <= {"kind", "md5", "sha256", "pdq", "vpdq", "tmk"}


def test_saving_replaces_an_old_file_in_one_step_and_leaves_no_temporary_file(tmp_path, some_items):
    path = tmp_path / "case.takeback"
    path.write_text("old contents")
    save_bundle(path, Program.ADULT, some_items[:1])
    assert load_bundle(path).items == some_items[:1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.takeback"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_saved_bundle_is_readable_by_its_owner_only(tmp_path, some_items):
    path = tmp_path / "case.takeback"
    save_bundle(path, Program.ADULT, some_items)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_saving_where_it_cannot_leaves_nothing_behind_and_says_why(tmp_path, some_items):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(BundleError, match="could not be saved|does not exist"):
        save_bundle(blocker / "case.takeback", Program.ADULT, some_items)
    with pytest.raises(BundleError, match="folder chosen for this file does not exist"):
        save_bundle(tmp_path / "missing" / "case.takeback", Program.ADULT, some_items)
    with pytest.raises(BundleError, match="A folder was chosen"):
        save_bundle(tmp_path, Program.ADULT, some_items)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_an_empty_bundle_is_misuse(tmp_path):
    with pytest.raises(ValueError):
        save_bundle(tmp_path / "x", Program.ADULT, [])


def _mutations():
    def item(index, **changes):
        def apply(doc):
            doc["items"][index].update(changes)
        return apply

    def top(**changes):
        def apply(doc):
            doc.update(changes)
        return apply

    def drop(key):
        def apply(doc):
            del doc[key]
        return apply

    return {
        "newer version": (top(version=3), "newer version of Takeback"),
        "version zero": (top(version=0), "version 0"),
        "version as text": (top(version="1"), "no version"),
        "no version": (drop("version"), "no version"),
        "wrong format": (top(format="something-else"), "not a Takeback fingerprint file"),
        "unknown programme": (top(program="kids"), "which programme"),
        "extra top-level field": (top(made_by="maria"), "more than fingerprints"),
        "no items": (top(items=[]), "holds no fingerprints"),
        "items not a list": (top(items={"a": 1}), "holds no fingerprints"),
        "bad hex": (item(0, md5="z" * 32), "file 1"),
        "upper-case hex": (item(1, sha256="A" * 64), "file 2"),
        "short md5": (item(0, md5="0" * 30), "file 1"),
        "long pdq": (item(0, pdq=[{"hash": "f" * 66, "quality": 100}]), "file 1"),
        "quality out of range": (item(0, pdq=[{"hash": "f" * 64, "quality": 300}]), "file 1"),
        "nine pdq": (item(1, pdq=[{"hash": f"{n:x}" * 64, "quality": 1} for n in range(9)]), "file 2"),
        "a repeated pdq": (item(1, pdq=[{"hash": "f" * 64, "quality": 1}] * 2), "file 2"),
        "file name smuggled into an item": (item(0, name="maria.jpg"), "file 1"),
        "unknown kind": (item(2, kind="audio"), "file 3"),
        "bad base64 tmk": (item(2, tmk="not base64!"), "file 3"),
        "tmk as number": (item(2, tmk=12), "file 3"),
        "frame as text": (item(2, vpdq=[{"frame": "0", "timestamp": 0, "hash": "f" * 64, "quality": 1}]), "file 3"),
        "negative timestamp": (item(2, vpdq=[{"frame": 0, "timestamp": -1, "hash": "f" * 64, "quality": 1}]), "file 3"),
    }


@pytest.mark.parametrize("case", sorted(_mutations()))
def test_every_invalid_bundle_is_refused_with_a_kind_message(tmp_path, good_document, case):
    mutate, words = _mutations()[case]
    mutate(good_document)
    path = _write(tmp_path / "bad.takeback", good_document)
    with pytest.raises(BundleError, match=words) as caught:
        load_bundle(path)
    assert str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize(
    "content",
    ["", "not json at all", '{"format": "takeback-bundle", "version": 1, "program"', "[1, 2, 3]", "null",
     "\ufeff\u0000\u00ff", "[" * 100_000],
)
def test_files_that_are_not_json_bundles_are_refused(tmp_path, content):
    path = _write(tmp_path / "x.takeback", content)
    with pytest.raises(BundleError, match="not a Takeback fingerprint file"):
        load_bundle(path)


def test_binary_files_are_refused(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    with pytest.raises(BundleError, match="not a Takeback fingerprint file"):
        load_bundle(path)


def test_too_many_items_are_refused(tmp_path, good_document):
    good_document["items"] = [good_document["items"][0]] * (MAX_BUNDLE_ITEMS + 1)
    path = _write(tmp_path / "big.takeback", good_document)
    with pytest.raises(BundleError, match="more than 5,000"):
        load_bundle(path)


def test_a_bundle_at_the_item_limit_loads(tmp_path, make_image_item):
    items = [make_image_item(1) for _ in range(MAX_BUNDLE_ITEMS)]
    path = tmp_path / "full.takeback"
    save_bundle(path, Program.ADULT, items)
    assert len(load_bundle(path).items) == MAX_BUNDLE_ITEMS


def test_missing_files_folders_and_pipes_get_their_own_messages(tmp_path):
    with pytest.raises(BundleError, match="could not be found"):
        load_bundle(tmp_path / "gone.takeback")
    with pytest.raises(BundleError, match="folder"):
        load_bundle(tmp_path)
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.takeback"
        os.mkfifo(pipe)
        with pytest.raises(BundleError, match="device"):
            load_bundle(pipe)  # returns at once instead of waiting for a writer
