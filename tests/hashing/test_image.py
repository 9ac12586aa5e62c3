"""Photos: compatible with Meta's reference on every test image and format, both EXIF views, animations."""

from __future__ import annotations

import csv
import shutil
import threading

import imagehash
import numpy as np
import pytest
from PIL import Image

from hashing import image as image_module
from hashing.errors import Cancelled
from hashing.image import hash_image
from hashing.results import MATCHABLE_QUALITY, ImageFingerprints, MediaKind, Orientation, PdqHash, WarningCode

#: Meta's criterion for "the same PDQ implementation": within this distance on files.
COMPATIBLE = 10

#: PDQ's usual match threshold: two hashes this close are taken for the same picture.
PDQ_MATCH = 31


def expected_rows(data_dir):
    with open(data_dir / "expected" / "pdq.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def views(result: ImageFingerprints) -> dict[Orientation, PdqHash]:
    return {pdq.orientation: pdq.hash for pdq in result.pdq}


def test_every_reference_image_matches_metas_hashes(data_dir):
    rows = expected_rows(data_dir)
    assert len(rows) >= 40
    for row in rows:
        result = hash_image(data_dir / "images" / row["path"])
        assert (result.md5, result.sha256) == (row["md5"], row["sha256"]), row["path"]
        assert result.kind is MediaKind.IMAGE
        shown = views(result)
        if int(row["quality_exif_transposed"]) >= 80:
            expected = PdqHash.from_hex(row["pdq_exif_transposed"])
            assert shown[Orientation.DISPLAY].distance(expected) <= COMPATIBLE, row["path"]
            assert abs(shown[Orientation.DISPLAY].quality - int(row["quality_exif_transposed"])) <= 5, row["path"]
        rotated = row["pdq"] != row["pdq_exif_transposed"]
        assert (Orientation.STORED in shown) == rotated, row["path"]
        if rotated and int(row["quality"]) >= 80:
            assert shown[Orientation.STORED].distance(PdqHash.from_hex(row["pdq"])) <= COMPATIBLE, row["path"]


def test_low_quality_reference_image_is_flagged(data_dir):
    result = hash_image(data_dir / "images" / "misc" / "small.jpg")
    assert result.pdq[0].hash.quality < MATCHABLE_QUALITY
    assert [warning.code for warning in result.warnings] == [WarningCode.LOW_QUALITY]
    assert "small.jpg" not in result.warnings[0].message


def test_flat_picture_is_flagged_and_detailed_one_is_not(photo, save):
    flat = save(Image.new("RGB", (300, 200), (40, 40, 40)), "flat.png")
    assert [warning.code for warning in hash_image(flat).warnings] == [WarningCode.LOW_QUALITY]
    assert hash_image(save(photo, "photo.png")).warnings == ()


LOSSLESS = {"PNG": {}, "BMP": {}, "TIFF": {}, "WEBP": {"lossless": True}}
LOSSY = {"JPEG": {"quality": 92}, "WEBP": {"quality": 90}, "HEIF": {"quality": 90}, "AVIF": {"quality": 90},
         "GIF": {}}


@pytest.mark.parametrize(
    ("pillow_format", "options"),
    [*(("lossless-" + f, (f, o)) for f, o in LOSSLESS.items()), *(("lossy-" + f, (f, o)) for f, o in LOSSY.items())],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_format_matches_the_reference_on_its_own_decode(photo, save, reference_pdq, pillow_format, options):
    pillow_format, options = options
    path = save(photo, "picture.bin", format=pillow_format, **options)
    result = hash_image(path)
    assert result.pdq[0].hash.distance(reference_pdq(path)) <= COMPATIBLE
    assert len(result.pdq) == 1 and result.vpdq == ()
    # And it is still recognisably the same photo as the original pixels.
    assert result.pdq[0].hash.distance(reference_pdq(photo)) <= 2 * COMPATIBLE


def test_png_with_a_jpeg_name_hashes_like_the_png(photo, save):
    png = save(photo, "real.png")
    misnamed = png.with_name("misnamed.jpg")
    shutil.copyfile(png, misnamed)
    assert hash_image(misnamed).pdq == hash_image(png).pdq


def exif(orientation: int) -> bytes:
    tags = Image.Exif()
    tags[0x0112] = orientation
    return tags.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_both_views_of_an_exif_rotated_jpeg(photo, save, reference_pdq, orientation):
    # An asymmetric crop with sides that are not multiples of 8, so every flip meets a partial block.
    picture = photo.crop((3, 5, 790, 490))
    path = save(picture, f"rotated-{orientation}.jpg", quality=95, exif=exif(orientation))
    shown = views(hash_image(path))
    assert shown[Orientation.DISPLAY].distance(reference_pdq(path)) <= COMPATIBLE
    if orientation == 1:
        assert Orientation.STORED not in shown
    else:
        assert shown[Orientation.STORED].distance(reference_pdq(path, transpose=False)) <= COMPATIBLE
        # The two views are different pictures as far as PDQ is concerned.
        assert shown[Orientation.STORED].distance(shown[Orientation.DISPLAY]) > 3 * COMPATIBLE


def test_tiff_whose_decoder_rotates_it_still_has_both_views(photo, save, reference_pdq):
    path = save(photo, "rotated.tiff", exif=exif(6))
    shown = views(hash_image(path))
    upright = photo.transpose(Image.Transpose.ROTATE_270)
    assert shown[Orientation.DISPLAY].distance(reference_pdq(upright)) <= COMPATIBLE
    assert shown[Orientation.STORED].distance(reference_pdq(photo)) <= COMPATIBLE


def test_heic_is_hashed_upright(photo, save, reference_pdq):
    path = save(photo, "phone.heic", format="HEIF", quality=90, exif=exif(6))
    shown = views(hash_image(path))
    upright = photo.transpose(Image.Transpose.ROTATE_270)
    assert shown[Orientation.DISPLAY].distance(reference_pdq(upright)) <= 2 * COMPATIBLE
    assert shown[Orientation.DISPLAY].distance(reference_pdq(path)) <= COMPATIBLE


MODES_ON_DISK = [
    ("TIFF", mode) for mode in ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "I", "F", "I;16")
] + [("PNG", mode) for mode in ("1", "L", "LA", "P", "RGBA", "I;16")] + [("JPEG", "CMYK"), ("JPEG", "L")]


@pytest.mark.parametrize(("pillow_format", "mode"), MODES_ON_DISK, ids=lambda v: v.replace(";", ""))
def test_every_pillow_mode_hashes_like_pillows_rgb_conversion(photo, save, reference_pdq, pillow_format, mode):
    picture = photo.convert(mode)
    path = save(picture, f"mode.{pillow_format.lower()}", format=pillow_format)
    with Image.open(path) as decoded:
        assert decoded.mode == mode or pillow_format == "JPEG"
    assert hash_image(path).pdq[0].hash.distance(reference_pdq(path)) <= COMPATIBLE


def test_alpha_is_dropped_like_the_reference_does(photo, save, reference_pdq):
    # Half the picture fully transparent: the reference ignores alpha, so must we (no compositing on white).
    rgba = photo.convert("RGBA")
    alpha = np.full((photo.height, photo.width), 255, np.uint8)
    alpha[:, : photo.width // 2] = 0
    rgba.putalpha(Image.fromarray(alpha))
    path = save(rgba, "transparent.png")
    ours = hash_image(path).pdq[0].hash
    assert ours.distance(reference_pdq(path)) <= COMPATIBLE
    on_white = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    assert ours.distance(reference_pdq(on_white)) > 3 * COMPATIBLE


def moving_frames(photo: Image.Image, count: int) -> list[Image.Image]:
    # Small and already paletted, so writing GIFs does not spend seconds quantising colours.
    small = photo.reduce(4).quantize(colors=128).convert("RGB")
    return [small.rotate(index * 37, fillcolor=(index * 30 % 255, 90, 160)) for index in range(count)]


ANIMATIONS = {
    "gif": {"format": "GIF", "loop": 0},
    "webp": {"format": "WEBP", "lossless": True, "loop": 0},
    "apng": {"format": "PNG", "loop": 0},
}


@pytest.mark.parametrize("kind", ANIMATIONS)
def test_animation_gets_first_frame_pdq_and_vpdq_of_every_frame(photo, save, reference_pdq, kind):
    frames = moving_frames(photo, 5)
    durations = [100, 200, 50, 300, 120]
    path = save(frames[0], f"moving.{kind}", save_all=True, append_images=frames[1:], duration=durations,
                **ANIMATIONS[kind])
    result = hash_image(path)
    assert [frame.frame for frame in result.vpdq] == [0, 1, 2, 3, 4]
    assert [frame.timestamp for frame in result.vpdq] == [0.0, 0.1, 0.3, 0.35, 0.65]
    with Image.open(path) as decoded:
        for frame in result.vpdq:
            decoded.seek(frame.frame)
            assert frame.hash.distance(reference_pdq(decoded.convert("RGB"))) <= COMPATIBLE
            assert frame.quality == frame.hash.quality
    assert result.pdq[0].hash == result.vpdq[0].hash
    # Different frames really are different pictures.
    assert result.vpdq[0].hash.distance(result.vpdq[2].hash) > 3 * COMPATIBLE


def test_long_animation_is_sampled_evenly(photo, save, monkeypatch):
    monkeypatch.setattr(image_module, "MAX_ANIMATION_VPDQ_FRAMES", 3)
    frames = moving_frames(photo, 8)
    path = save(frames[0], "long.gif", save_all=True, append_images=frames[1:], duration=100)
    result = hash_image(path)
    assert [(frame.frame, frame.timestamp) for frame in result.vpdq] == [(0, 0.0), (3, 0.3), (6, 0.6)]


def test_still_gif_and_multi_page_tiff_have_no_vpdq(photo, save):
    assert hash_image(save(photo, "still.gif")).vpdq == ()
    pages = save(photo, "pages.tiff", save_all=True, append_images=[photo.rotate(90)])
    assert hash_image(pages).vpdq == ()


def test_small_edit_small_distance_different_picture_large_distance(data_dir):
    images = data_dir / "images"
    original = hash_image(images / "bridge-mods" / "aaa-orig.jpg").pdq[0].hash
    for edit in ("blur-a-little.jpg", "high-contrast.jpg", "shrink-a-lot.jpg", "sharpen-a-little.jpg"):
        assert original.distance(hash_image(images / "bridge-mods" / edit).pdq[0].hash) <= PDQ_MATCH
    for other in ("misc/wee.jpg", "misc/c.png", "misc/pen-and-coaster.png", "dih/bridge-2-rotate-90.jpg"):
        assert original.distance(hash_image(images / other).pdq[0].hash) >= 64


def test_phash_is_imagehash_phash_of_the_photo(data_dir):
    path = data_dir / "images" / "exif-rotn" / "exif-rotn-1.jpg"
    with Image.open(path) as image:
        full = imagehash.phash(image)
    ours = imagehash.hex_to_hash(hash_image(path).phash)
    assert len(hash_image(path).phash) == 16
    assert ours - full <= 6


def test_progress_rises_to_one_and_cancel_stops(data_dir):
    path = data_dir / "images" / "exif-rotn" / "exif-rotn-1.jpg"
    seen: list[float] = []
    hash_image(path, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 0 < seen[0] < 1
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        hash_image(path, cancel=stop)


def test_cancel_during_animation(photo, save):
    frames = moving_frames(photo, 6)
    path = save(frames[0], "moving.gif", save_all=True, append_images=frames[1:])
    stop = threading.Event()

    def progress(fraction: float) -> None:
        if fraction > 0.5:
            stop.set()

    with pytest.raises(Cancelled):
        hash_image(path, cancel=stop, progress=progress)


def test_result_holds_no_trace_of_the_file(tmp_path, photo, save):
    path = save(photo, "secret-name-123.png")
    text = repr(hash_image(path))
    assert "secret-name-123" not in text and str(tmp_path) not in text


def test_hashing_many_photos_at_once_is_thread_safe(data_dir):
    paths = sorted((data_dir / "images" / "bridge-mods").glob("*.jpg"))
    one_by_one = [hash_image(path) for path in paths]
    results: list[ImageFingerprints | None] = [None] * len(paths)

    def work(index: int) -> None:
        results[index] = hash_image(paths[index])

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == one_by_one


@pytest.mark.parametrize(("pillow_format", "options"), [("PNG", {}), ("WEBP", {"quality": 95}),
                                                        ("AVIF", {"quality": 95})], ids=["png", "webp", "avif"])
def test_exif_orientation_in_other_formats(photo, save, reference_pdq, pillow_format, options):
    path = save(photo, "turned.img", format=pillow_format, exif=exif(8), **options)
    shown = views(hash_image(path))
    upright = photo.transpose(Image.Transpose.ROTATE_90)
    assert shown[Orientation.DISPLAY].distance(reference_pdq(path)) <= COMPATIBLE
    assert shown[Orientation.DISPLAY].distance(reference_pdq(upright)) <= 2 * COMPATIBLE
    assert shown[Orientation.STORED].distance(reference_pdq(photo)) <= 2 * COMPATIBLE
