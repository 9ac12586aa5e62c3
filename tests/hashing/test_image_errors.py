"""Every way a photo can fail gives our error, for that file only, in words without the file's name."""

from __future__ import annotations

import os
import shutil
import struct
import threading
import warnings
import zlib

import pytest
from PIL import Image

from hashing import _pillow
from hashing import image as image_module
from hashing.errors import (
    CorruptMedia,
    EmptyFile,
    FileChanged,
    FileMissing,
    FileUnreadable,
    HashingError,
    NotAFile,
    TooLarge,
    UnsupportedFormat,
)
from hashing.image import hash_image
from tests._unreadable import unreadable


def fails_with(path, error_type, code):
    with pytest.raises(error_type) as caught:
        hash_image(path)
    assert caught.value.code == code
    message = caught.value.message
    assert message.endswith(".") and len(message) > 40
    assert path.name not in message and str(path.parent) not in message
    assert "Traceback" not in message and "PIL" not in message
    return caught.value


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header that claims a huge picture, followed by a few bytes of pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def test_missing_file(tmp_path):
    fails_with(tmp_path / "gone.jpg", FileMissing, "not_found")


def test_broken_link(tmp_path):
    link = tmp_path / "link.jpg"
    link.symlink_to(tmp_path / "nowhere.jpg")
    fails_with(link, FileMissing, "not_found")


def test_directory(tmp_path):
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    fails_with(folder, NotAFile, "not_a_file")


def test_symlink_loop(tmp_path):
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    first.symlink_to(second)
    second.symlink_to(first)
    fails_with(first, NotAFile, "not_a_file")


def test_unreadable_file(tmp_path, photo, save):
    path = save(photo, "locked.jpg")
    with unreadable(path):
        fails_with(path, FileUnreadable, "unreadable")


def test_zero_bytes(tmp_path):
    path = tmp_path / "empty.jpg"
    path.touch()
    fails_with(path, EmptyFile, "empty")


@pytest.mark.parametrize("name", ["truncated.jpg", "truncated.png"])
def test_truncated_photo(tmp_path, photo, save, name):
    whole = save(photo, name).read_bytes()
    path = tmp_path / f"half-{name}"
    path.write_bytes(whole[: len(whole) // 2])
    fails_with(path, CorruptMedia, "corrupt")


def test_truncated_big_jpeg_decoded_in_dct_domain(tmp_path, data_dir):
    whole = (data_dir / "images" / "exif-rotn" / "exif-rotn-1.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    fails_with(path, CorruptMedia, "corrupt")


def test_text_with_a_photo_name(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("Dear diary, this is not a picture.\n" * 20)
    fails_with(path, UnsupportedFormat, "unsupported")


def test_garbage_bytes(tmp_path):
    path = tmp_path / "noise.png"
    path.write_bytes(os.urandom(5000))
    fails_with(path, UnsupportedFormat, "unsupported")


@pytest.mark.parametrize(
    "head", [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"II*\x00",
             b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif"],
    ids=["jpeg", "png", "gif", "webp", "tiff", "heic", "avif"],
)
def test_right_signature_then_garbage(tmp_path, head):
    path = tmp_path / "IMG_0042"
    path.write_bytes(head + bytes(range(256)) * 8)
    fails_with(path, CorruptMedia, "corrupt")


def test_decompression_bomb_is_too_large(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(20_000, 20_000))  # 400 megapixels in a few hundred bytes
    fails_with(path, TooLarge, "too_large")


def test_our_pixel_limit_applies_before_pillow_would_warn(tmp_path, monkeypatch):
    # 100 megapixels: above Pillow's warning threshold, below its error; our own limit refuses it, and
    # Pillow's DecompressionBombWarning never surfaces (warnings are errors in this test run).
    monkeypatch.setattr(_pillow, "MAX_PIXELS", 50_000_000)
    path = tmp_path / "big.png"
    path.write_bytes(png_claiming(10_000, 10_000))
    fails_with(path, TooLarge, "too_large")


def test_our_pixel_limit_on_an_ordinary_photo(monkeypatch, data_dir):
    monkeypatch.setattr(_pillow, "MAX_PIXELS", 1_000_000)
    fails_with(data_dir / "images" / "misc" / "c.png", TooLarge, "too_large")


def test_file_too_big_to_read_into_memory(monkeypatch, data_dir):
    monkeypatch.setattr(image_module, "MAX_IMAGE_BYTES", 10_000)
    fails_with(data_dir / "images" / "bridge-mods" / "aaa-orig.jpg", TooLarge, "too_large")


def test_file_that_shrinks_while_being_read(tmp_path, data_dir):
    path = tmp_path / "downloading.jpg"
    shutil.copyfile(data_dir / "images" / "exif-rotn" / "exif-rotn-1.jpg", path)  # 3 MB: several reads

    def cut_short(_fraction: float) -> None:
        os.truncate(path, 1000)

    with pytest.raises(FileChanged) as caught:
        hash_image(path, progress=cut_short)
    assert caught.value.code == "changed"


def test_file_deleted_while_being_read_is_still_hashed_from_what_was_opened(tmp_path, data_dir):
    original = data_dir / "images" / "exif-rotn" / "exif-rotn-1.jpg"
    path = tmp_path / "moved-away.jpg"
    shutil.copyfile(original, path)
    result = hash_image(path, progress=lambda _fraction: path.unlink(missing_ok=True))
    assert result.md5 == hash_image(original).md5
    fails_with(path, FileMissing, "not_found")


def test_a_video_is_not_a_photo(data_dir):
    error = fails_with(data_dir / "videos" / "test-padded-dimensions.mp4", UnsupportedFormat, "unsupported")
    assert "video" in error.message


def test_corrupt_exif_does_not_stop_the_photo(tmp_path, photo, save, reference_pdq):
    path = save(photo, "odd-exif.jpg", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff\x00\x00garbage")
    result = hash_image(path)
    assert result.pdq[0].hash.distance(reference_pdq(photo)) <= 10


def test_palette_with_byte_transparency_hashes_without_pillow_warnings(save, photo):
    paletted = photo.quantize(colors=64)
    paletted.info["transparency"] = bytes(range(64))
    result = hash_image(save(paletted, "palette.png", transparency=bytes(range(64))))
    assert result.pdq[0].hash.quality > 50


def test_errors_share_one_root_with_stable_codes():
    codes = {error.code for error in (FileMissing(), NotAFile(), FileUnreadable(), EmptyFile(), FileChanged(),
                                      UnsupportedFormat(), CorruptMedia(), TooLarge())}
    assert codes == {"not_found", "not_a_file", "unreadable", "empty", "changed", "unsupported", "corrupt",
                     "too_large"}
    assert all(issubclass(kind, HashingError) for kind in (FileChanged, TooLarge))


def test_one_bad_file_does_not_affect_the_next(tmp_path, data_dir):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + bytes(300))
    with pytest.raises(CorruptMedia):
        hash_image(bad)
    good = hash_image(data_dir / "images" / "misc" / "wee.jpg")
    assert good.pdq[0].hash.quality == 100
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's own global setting is left as it was


def test_warnings_stay_silent_when_many_threads_decode_at_once(save, photo):
    # Pillow warns about this palette's byte transparency; warnings are errors in this test run, and the
    # process-wide filters must be restored correctly however the threads interleave.
    paletted = photo.reduce(2).quantize(colors=32)
    path = save(paletted, "palette.png", transparency=bytes(range(32)))
    filters_before = list(warnings.filters)
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                hash_image(path)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert warnings.filters == filters_before
