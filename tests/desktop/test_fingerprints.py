"""hashing results become client items carrying fingerprints only."""

import dataclasses
import json

from client_api import ImageItem, VideoItem
from client_api import _wire
from client_api.models import MAX_VPDQ_FRAMES_PER_VIDEO
from desktop.fingerprints import to_item, to_items
from hashing.results import (
    Dihedral,
    DihedralPdq,
    FingerprintWarning,
    ImageFingerprints,
    ImagePdq,
    Orientation,
    PdqHash,
    VideoFingerprints,
    VpdqFrame,
    WarningCode,
)

MD5 = "0123456789abcdef" * 2
SHA = "fedcba9876543210" * 4


def pdq(byte: int, quality: int = 90) -> PdqHash:
    return PdqHash(bytes([byte]) * 32, quality)


def test_an_image_item_carries_every_pdq_hash_and_nothing_else():
    result = ImageFingerprints(
        md5=MD5, sha256=SHA,
        pdq=(ImagePdq(pdq(0x11), Orientation.DISPLAY), ImagePdq(pdq(0x22, 40), Orientation.STORED)),
        phash="8f373714acfcf4d0",
        warnings=(FingerprintWarning(WarningCode.LOW_QUALITY, "low"),),
    )
    item = to_item(result)
    assert isinstance(item, ImageItem)
    assert [(p.hash, p.quality) for p in item.pdq] == [("11" * 32, 90), ("22" * 32, 40)]
    assert (item.md5, item.sha256) == (MD5, SHA)
    sent = json.dumps(_wire.item_to_json(item))
    assert "8f373714acfcf4d0" not in sent and "low" not in sent


def test_a_video_item_carries_frames_but_not_duration_or_frame_count():
    frames = tuple(VpdqFrame(i, i * 0.5, pdq(i % 256)) for i in range(7))
    result = VideoFingerprints(md5=MD5, sha256=SHA, duration_s=4321.125, frame_count=55555, vpdq=frames)
    item = to_item(result)
    assert isinstance(item, VideoItem) and item.tmk is None
    assert [(v.frame, v.timestamp, v.hash) for v in item.vpdq] == [(f.frame, f.timestamp, f.hash.hex) for f in frames]
    sent = json.dumps(_wire.item_to_json(item))
    assert "4321.125" not in sent and "55555" not in sent
    assert {f.name for f in dataclasses.fields(item)} == {"md5", "sha256", "vpdq", "tmk"}


def test_a_very_long_video_keeps_evenly_spread_frames_within_the_limit():
    count = MAX_VPDQ_FRAMES_PER_VIDEO * 2 + 3
    frames = tuple(VpdqFrame(i, float(i), pdq(i % 256)) for i in range(count))
    item = to_item(VideoFingerprints(md5=MD5, sha256=SHA, duration_s=float(count), frame_count=count, vpdq=frames))
    assert len(item.vpdq) == MAX_VPDQ_FRAMES_PER_VIDEO
    assert item.vpdq[0].frame == 0 and item.vpdq[-1].frame > count - 5
    gaps = {b.frame - a.frame for a, b in zip(item.vpdq, item.vpdq[1:])}
    assert gaps <= {2, 3}


def test_to_items_keeps_order():
    results = [
        ImageFingerprints(md5=MD5, sha256=SHA, pdq=(ImagePdq(pdq(1), Orientation.DISPLAY),), phash="0" * 16),
        VideoFingerprints(md5=MD5, sha256=SHA, duration_s=1.0, frame_count=1, vpdq=()),
    ]
    assert [type(i) for i in to_items(results)] == [ImageItem, VideoItem]


def test_turned_and_mirrored_hashes_are_sent_once_each_after_the_displayed_one():
    # The stored view (0x22) is also the rotate90 turn; a symmetric picture hashes alike flipped (0x11).
    turns = dict(zip(Dihedral, [0x22, 0x33, 0x44, 0x11, 0x55, 0x66, 0x77], strict=True))
    result = ImageFingerprints(
        md5=MD5, sha256=SHA,
        pdq=(ImagePdq(pdq(0x11), Orientation.DISPLAY), ImagePdq(pdq(0x22), Orientation.STORED)),
        phash="8f373714acfcf4d0",
        dihedral=tuple(DihedralPdq(transform, pdq(byte)) for transform, byte in turns.items()),
    )
    assert [p.hash[:2] for p in to_item(result).pdq] == ["11", "22", "33", "44", "55", "66", "77"]
    assert [p.hash[:2] for p in to_item(result, dihedral=False).pdq] == ["11", "22"]
    assert [len(item.pdq) for item in to_items([result, result], dihedral=False)] == [2, 2]
