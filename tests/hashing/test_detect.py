"""Formats are told apart by content: real files of every image format, real and hand-made video headers."""

from __future__ import annotations

import io

import pytest

from hashing.detect import MediaFormat, detect_format, detect_kind, format_of_header
from hashing.errors import EmptyFile, FileMissing, NotAFile, UnsupportedFormat
from hashing.results import MediaKind

IMAGE_SAVES = [
    ("JPEG", MediaFormat.JPEG),
    ("PNG", MediaFormat.PNG),
    ("GIF", MediaFormat.GIF),
    ("WEBP", MediaFormat.WEBP),
    ("BMP", MediaFormat.BMP),
    ("TIFF", MediaFormat.TIFF),
    ("HEIF", MediaFormat.HEIF),
    ("AVIF", MediaFormat.AVIF),
]


@pytest.mark.parametrize(("pillow_format", "expected"), IMAGE_SAVES, ids=[f for f, _ in IMAGE_SAVES])
def test_every_image_format_is_recognised_whatever_its_name(photo, save, pillow_format, expected):
    path = save(photo.reduce(4), "holiday.mp4", format=pillow_format)  # a misleading name on purpose
    assert detect_format(path) is expected
    assert detect_kind(path) is MediaKind.IMAGE


def test_big_endian_tiff_and_animated_webp_are_images(photo):
    buffer = io.BytesIO()
    photo.reduce(4).save(buffer, format="WEBP", save_all=True, append_images=[photo.reduce(4).rotate(90)])
    assert format_of_header(buffer.getvalue()) is MediaFormat.WEBP
    assert format_of_header(b"MM\x00*\x00\x00\x00\x08") is MediaFormat.TIFF


@pytest.mark.parametrize("name", ["test-padded-dimensions.mp4", "chair-19-sd-bar.mp4"])
def test_reference_videos_are_iso_media_videos(data_dir, name):
    path = data_dir / "videos" / name
    assert detect_format(path) is MediaFormat.ISO_BMFF
    assert detect_kind(path) is MediaKind.VIDEO


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08mdat"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), MediaFormat.HEIF),
        (ftyp(b"mif1", b"mif1", b"heic", b"miaf"), MediaFormat.HEIF),
        (ftyp(b"avif", b"avif", b"mif1", b"miaf"), MediaFormat.AVIF),
        (ftyp(b"mif1", b"avif", b"miaf"), MediaFormat.AVIF),
        (ftyp(b"avis", b"avis", b"msf1"), MediaFormat.AVIF),
        (ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), MediaFormat.ISO_BMFF),
        (ftyp(b"qt  ", b"qt  "), MediaFormat.ISO_BMFF),
        (ftyp(b"M4V ", b"M4V ", b"mp42"), MediaFormat.ISO_BMFF),
        (ftyp(b"3gp4", b"3gp4", b"isom"), MediaFormat.ISO_BMFF),
        (ftyp(b"mp42", b"mp42", b"mif1"), MediaFormat.ISO_BMFF),  # a movie that also carries a still
        (b"\x00\x00\x00\x10moov\x00\x00\x00\x08mvhd", MediaFormat.QUICKTIME),
        (b"\x00\x00\x00\x08wide\x00\x01\x00\x00mdat", MediaFormat.QUICKTIME),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm", MediaFormat.MATROSKA),
        (b"RIFF\x00\x10\x00\x00AVI LIST", MediaFormat.AVI),
        (b"FLV\x01\x05\x00\x00\x00\x09", MediaFormat.FLV),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c" + bytes(16), MediaFormat.ASF),
        (b"\x00\x00\x01\xba\x44\x00\x04\x00", MediaFormat.MPEG_PS),
        ((b"\x47\x40\x00\x10" + bytes(184)) * 4, MediaFormat.MPEG_TS),
        ((bytes(4) + b"\x47\x40\x00\x10" + bytes(184)) * 4, MediaFormat.MPEG_TS),
        (b"OggS\x00\x02" + bytes(22) + b"\x01\x2a\x80theora\x03\x02", MediaFormat.OGG),
    ],
)
def test_container_signatures(head, expected):
    assert format_of_header(head) is expected


@pytest.mark.parametrize(
    "head",
    [
        b"Hello, this is a letter, not a photo.\n",
        b"BM is also how some text starts, it is not a bitmap",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"OggS\x00\x02" + bytes(22) + b"\x01\x1e\x01vorbis\x00\x00",  # music: no picture to fingerprint
        b"RIFF\x00\x10\x00\x00WAVEfmt ",
        b"\x00\x00\x00\x00",
        b"\xff\xd8",  # too short to be a JPEG
    ],
)
def test_other_content_is_unsupported(head):
    with pytest.raises(UnsupportedFormat):
        format_of_header(head)


def test_text_file_named_like_a_photo_is_unsupported(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("not really a photo")
    with pytest.raises(UnsupportedFormat) as caught:
        detect_kind(path)
    assert caught.value.code == "unsupported"
    assert "photo.jpg" not in caught.value.message


def test_file_problems_come_before_format(tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.touch()
    with pytest.raises(EmptyFile):
        detect_kind(empty)
    with pytest.raises(NotAFile):
        detect_kind(tmp_path)
    with pytest.raises(FileMissing):
        detect_kind(tmp_path / "gone.jpg")
