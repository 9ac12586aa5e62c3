"""Video fingerprints: vPDQ matches Meta's reference output, and damaged or odd files fail kindly, one by one."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import logging
import struct
import threading
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from hashing import video as video_module
from tests.opencv import quiet_cv2
from hashing.errors import (
    Cancelled,
    CorruptMedia,
    EmptyFile,
    FileMissing,
    FileUnreadable,
    NotAFile,
    TooLarge,
    UnsupportedFormat,
)
from hashing.exact import exact_hashes
from hashing.matching import VpdqConvention, match_vpdq, parse_vpdq_text
from hashing.results import MediaKind, WarningCode
from hashing.video import hash_video, vpdq_frame_mod, vpdq_timestamp

cv2 = quiet_cv2()  # as the app does: OpenCV and its FFmpeg stay quiet whatever a test runs first

VIDEOS = Path(__file__).parents[1] / "data" / "videos"
EXPECTED = Path(__file__).parents[1] / "data" / "expected" / "vpdq"

SHORT_VIDEOS = ["test-padded-dimensions", "pattern-hd-no-bar"]
#: Reference hashes made from x86 SIMD colour conversion rather than swscale's C code (see check_against_reference).
SIMD_MADE_REFERENCES = {"test-padded-dimensions"}
LONG_VIDEOS = [
    "chair-19-sd-bar",
    "chair-20-sd-bar",
    "chair-22-sd-grey-bar",
    "chair-22-sd-sepia-bar",
    "chair-orig-22-sd-bar",
]


def textured_frames(count: int, size: tuple[int, int], seed: int = 0):
    """Frames with enough detail for PDQ quality 100: a drifting window over smooth random texture."""
    width, height = size
    rng = np.random.default_rng(seed)
    canvas = cv2.GaussianBlur(rng.integers(0, 256, (height * 2, width * 2, 3), dtype=np.uint8), (0, 0), 4)
    canvas = cv2.normalize(canvas, None, 0, 255, cv2.NORM_MINMAX)
    for index in range(count):
        shift = (index * 3) % height
        yield np.ascontiguousarray(canvas[shift : shift + height, shift : shift + width])


def write_video(path: Path, fourcc: str, fps: float, count: int, size=(160, 120), seed: int = 0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert writer.isOpened(), f"this OpenCV cannot write {fourcc} into {path.suffix}"
    for frame in textured_frames(count, size, seed):
        writer.write(frame)
    writer.release()
    return path


def check_against_reference(name: str, ours) -> None:
    reference = parse_vpdq_text((EXPECTED / f"{name}.txt").read_text())
    assert [(f.frame, f"{f.timestamp:.3f}") for f in ours.vpdq] == [
        (f.frame, f"{f.timestamp:.3f}") for f in reference
    ]
    assert ours.frame_count == len(reference)
    # vPDQ's own rule, both ways (ours as query, then the reference as query).
    forward = match_vpdq(ours.vpdq, reference)
    assert forward.query_match_percent >= 95 and forward.compared_match_percent >= 95, forward
    backward = match_vpdq(reference, ours.vpdq, convention=VpdqConvention.CPP)
    assert backward.query_match_percent >= 95 and backward.compared_match_percent >= 95, backward
    # Frame by frame, the same frame number: Meta's sample hashes of six videos were made from swscale's portable
    # C conversion, which ours selects, so 94-99% of frames hash bit for bit and none is more than 4 bits off
    # (with OpenCV: 40-59% and 6). test-padded-dimensions' were made by x86 SIMD code, whose rounding differs
    # (mean 2.3, at most 8 bits; OpenCV, converting with that code here, matched). Issue #13 video note.
    distances = [a.hash.distance(b.hash) for a, b in zip(ours.vpdq, reference, strict=True)]
    assert [a.hash.quality for a in ours.vpdq] == [b.hash.quality for b in reference]
    if name in SIMD_MADE_REFERENCES:
        assert max(distances) <= 8 and sum(distances) <= 2.5 * len(distances), distances
    else:
        assert max(distances) <= 4 and distances.count(0) >= 0.94 * len(distances), distances


@pytest.mark.parametrize("name", ["test-padded-dimensions", pytest.param("pattern-hd-no-bar", marks=pytest.mark.slow)])
def test_every_frame_matches_meta_reference(name, reference_video):
    check_against_reference(name, reference_video(name))


@pytest.mark.slow
@pytest.mark.parametrize("name", LONG_VIDEOS)
def test_every_frame_of_long_videos_matches_meta_reference(name, reference_video):
    check_against_reference(name, reference_video(name))


@pytest.mark.slow
def test_default_samples_one_frame_per_second_from_the_same_frames(reference_video):
    name = "test-padded-dimensions"  # 30 fps, 150 frames
    sampled = hash_video(VIDEOS / f"{name}.mp4", tmk=False)
    assert [f.frame for f in sampled.vpdq] == [0, 30, 60, 90, 120]
    assert [f.timestamp for f in sampled.vpdq] == [0.0, 1.0, 2.0, 3.0, 4.0]
    everything = {f.frame: f.hash for f in reference_video(name).vpdq}
    assert all(f.hash == everything[f.frame] for f in sampled.vpdq)
    assert sampled.frame_count == 150 and sampled.duration_s == pytest.approx(5.0)


def test_result_carries_exact_hashes_of_the_bytes_and_nothing_about_the_file(reference_video):
    path = VIDEOS / "test-padded-dimensions.mp4"
    result = reference_video("test-padded-dimensions")
    exact = exact_hashes(path)
    assert (result.md5, result.sha256) == (exact.md5, exact.sha256)
    assert result.kind is MediaKind.VIDEO and result.warnings == ()
    assert path.name not in repr(result) and str(exact.size) not in repr(result)


@pytest.mark.parametrize(
    ("seconds", "fps", "expected"),
    [(1.0, 30.0, 30), (1.0, 30000 / 1001, 29), (0.0, 25.0, 1), (0.5, 25.0, 12), (0.01, 24.0, 1), (2.0, 15.0, 30)],
)
def test_frame_selection_follows_vpdq(seconds, fps, expected):
    assert vpdq_frame_mod(seconds, fps) == expected


def test_timestamps_are_nominal_frame_times_to_three_decimals():
    assert [vpdq_timestamp(n, 30.0) for n in (0, 1, 2, 29)] == [0.0, 0.033, 0.067, 0.967]
    assert vpdq_timestamp(30, 30000 / 1001) == 1.001


@pytest.mark.parametrize(
    ("fourcc", "suffix", "fps"),
    [("mp4v", ".mp4", 25.0), ("mp4v", ".mov", 30000 / 1001), ("MJPG", ".avi", 12.0), ("XVID", ".avi", 24.0),
     ("FFV1", ".mkv", 50.0), ("VP80", ".webm", 25.0)],
    ids=["mp4-25fps", "mov-29.97fps", "avi-mjpeg-12fps", "avi-xvid-24fps", "mkv-ffv1-50fps", "webm-vp8-25fps"],
)
def test_generated_videos_in_other_containers_and_rates(tmp_path, fourcc, suffix, fps):
    count = 75
    path = write_video(tmp_path / f"clip{suffix}", fourcc, fps, count)
    result = hash_video(path, tmk=False)
    step = vpdq_frame_mod(1.0, fps)
    assert result.frame_count == count
    assert [f.frame for f in result.vpdq] == list(range(0, count, step))
    assert [f.timestamp for f in result.vpdq] == [vpdq_timestamp(n, fps) for n in range(0, count, step)]
    assert result.duration_s == pytest.approx(count / fps, abs=0.01)
    assert result.warnings == ()
    assert all(f.quality >= 50 for f in result.vpdq)


def test_same_pictures_in_two_codecs_match_under_vpdq(tmp_path):
    lossless = hash_video(write_video(tmp_path / "a.mkv", "FFV1", 25.0, 50), vpdq_every=0, tmk=False)
    lossy = hash_video(write_video(tmp_path / "b.avi", "MJPG", 25.0, 50), vpdq_every=0, tmk=False)
    other = hash_video(write_video(tmp_path / "c.mkv", "FFV1", 25.0, 50, seed=9), vpdq_every=0, tmk=False)
    assert match_vpdq(lossy.vpdq, lossless.vpdq).is_match
    assert not match_vpdq(other.vpdq, lossless.vpdq).is_match


@pytest.mark.slow
def test_truncated_video_keeps_what_was_read_and_says_so(tmp_path, reference_video):
    whole = VIDEOS / "pattern-hd-no-bar.mp4"
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    result = hash_video(half, vpdq_every=0, tmk=False)
    assert [w.code for w in result.warnings] == [WarningCode.PARTLY_DAMAGED]
    full = reference_video("pattern-hd-no-bar")
    assert 0 < result.frame_count < full.frame_count
    assert result.vpdq == full.vpdq[: result.frame_count]
    assert result.md5 == exact_hashes(half).md5


def test_video_whose_index_is_missing_is_corrupt(tmp_path):
    # OpenCV's MP4 writer puts the index (moov) at the end: the first half alone cannot be opened.
    whole = write_video(tmp_path / "whole.mp4", "mp4v", 25.0, 50)
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(CorruptMedia) as caught:
        hash_video(half)
    assert caught.value.code == "corrupt"


def test_header_without_pictures_gives_exact_hashes_and_a_no_frames_warning(tmp_path):
    whole = (VIDEOS / "chair-19-sd-bar.mp4").read_bytes()
    header = tmp_path / "header.mp4"
    header.write_bytes(whole[: whole.index(b"mdat") + 100])  # index intact, picture data gone
    result = hash_video(header, tmk=False)
    assert result.vpdq == () and result.frame_count == 0
    assert {w.code for w in result.warnings} == {WarningCode.NO_FRAMES, WarningCode.PARTLY_DAMAGED}
    assert result.md5 == exact_hashes(header).md5


def test_frames_smaller_than_pdq_accepts_are_counted_but_not_hashed(tmp_path):
    path = write_video(tmp_path / "tiny.mkv", "FFV1", 10.0, 12, size=(4, 4))
    result = hash_video(path, vpdq_every=0, tmk=False)
    assert result.frame_count == 12 and result.vpdq == ()
    assert [w.code for w in result.warnings] == [WarningCode.NO_FRAMES]


def test_blank_video_warns_that_it_may_not_be_matchable(tmp_path):
    path = tmp_path / "blank.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    for _ in range(10):
        writer.write(np.full((48, 64, 3), 30, np.uint8))
    writer.release()
    result = hash_video(path, tmk=False)
    assert [w.code for w in result.warnings] == [WarningCode.LOW_QUALITY]
    assert len(result.vpdq) == 1 and result.vpdq[0].quality == 0


def test_garbage_with_a_video_name_is_not_a_video(tmp_path):
    path = tmp_path / "holiday.mp4"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    with pytest.raises(UnsupportedFormat):
        hash_video(path)


def test_text_file_named_video_is_not_a_video(tmp_path):
    path = tmp_path / "notes.mkv"
    path.write_text("not a film\n" * 100)
    with pytest.raises(UnsupportedFormat):
        hash_video(path)


def test_zero_byte_video_is_empty(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(EmptyFile):
        hash_video(path)


def test_missing_video_and_folder(tmp_path):
    with pytest.raises(FileMissing):
        hash_video(tmp_path / "missing.mp4")
    with pytest.raises(NotAFile):
        hash_video(tmp_path)


def test_huge_frames_are_refused_before_decoding(tmp_path, monkeypatch):
    path = write_video(tmp_path / "clip.avi", "MJPG", 10.0, 5)
    monkeypatch.setattr(video_module, "MAX_FRAME_PIXELS", 160 * 120 - 1)
    with pytest.raises(TooLarge):
        hash_video(path)


def test_cancel_mid_video_raises_cancelled():
    cancel = threading.Event()
    seen = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(Cancelled):
        hash_video(VIDEOS / "pattern-hd-no-bar.mp4", vpdq_every=0, tmk=False, cancel=cancel, progress=progress)
    assert seen and seen[-1] < 1.0


def test_already_cancelled_stops_before_decoding():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        hash_video(VIDEOS / "test-padded-dimensions.mp4", tmk=False, cancel=cancel)


def test_progress_rises_and_ends_at_one(tmp_path):
    path = write_video(tmp_path / "long.avi", "MJPG", 25.0, 400, size=(320, 240))
    seen: list[float] = []
    hash_video(path, vpdq_every=0, tmk=False, progress=seen.append)
    assert len(seen) >= 2
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[-1] == 1.0 and all(0 < f < 1 for f in seen[:-1])


def test_damaged_files_print_nothing(tmp_path, capfd, caplog, reference_video):
    whole = (VIDEOS / "pattern-hd-no-bar.mp4").read_bytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(whole[: len(whole) // 3])
    capfd.readouterr()
    caplog.set_level(logging.DEBUG)  # nor log anything: FFmpeg's complaints would describe the person's file
    hash_video(damaged, tmk=False)
    tail = tmp_path / "tail.mp4"
    tail.write_bytes(whole[len(whole) // 2 :])
    with pytest.raises(UnsupportedFormat):
        hash_video(tail)
    assert capfd.readouterr() == ("", "")
    assert caplog.records == []


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_rejects_bad_sampling_interval(bad):
    with pytest.raises(ValueError, match="vpdq_every"):
        hash_video(VIDEOS / "test-padded-dimensions.mp4", vpdq_every=bad)


def test_rejects_non_numeric_sampling_interval():
    with pytest.raises(TypeError, match="vpdq_every"):
        hash_video(VIDEOS / "test-padded-dimensions.mp4", vpdq_every="1")  # type: ignore[arg-type]


def rotated_copy(source: Path, target: Path) -> Path:
    """The same video with a 90-degree display rotation in its MP4 track header (as phones record portrait)."""
    data = bytearray(source.read_bytes())
    header = data.index(b"tkhd")
    version = data[header + 4]
    matrix = header + 4 + 40 + (12 if version == 1 else 0)
    assert struct.unpack(">9i", data[matrix : matrix + 36]) == (65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30)
    data[matrix : matrix + 36] = struct.pack(">9I", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000)
    target.write_bytes(bytes(data))
    return target


def test_rotation_metadata_is_not_applied_to_vpdq_frames(tmp_path):
    upright = write_video(tmp_path / "upright.mp4", "mp4v", 25.0, 30)
    rotated = rotated_copy(upright, tmp_path / "rotated.mp4")
    capture = cv2.VideoCapture(str(rotated))
    assert capture.get(cv2.CAP_PROP_ORIENTATION_META) == 90  # OpenCV would turn it by default
    capture.release()
    assert hash_video(rotated, vpdq_every=0, tmk=False).vpdq == hash_video(upright, vpdq_every=0, tmk=False).vpdq


class FailingDisk(io.FileIO):
    """A file whose reads start failing part-way, as on a disconnected drive (no real part can do that here)."""

    def __init__(self, path: Path, good_reads: int) -> None:
        super().__init__(path, "rb")
        self.good_reads = good_reads

    def read(self, size: int = -1) -> bytes:
        if self.good_reads <= 0:
            raise OSError(errno.EIO, "Input/output error")
        self.good_reads -= 1
        return super().read(size)


@pytest.mark.parametrize("good_reads", [0, 2, 30])
def test_disk_failing_while_decoding_is_unreadable_not_a_crash(monkeypatch, good_reads):
    real_open = video_module.checked_open

    @contextlib.contextmanager
    def failing_open(path):
        with real_open(path) as (_, size), FailingDisk(path, good_reads) as handle:
            yield handle, size

    monkeypatch.setattr(video_module, "checked_open", failing_open)
    with pytest.raises(FileUnreadable):
        hash_video(VIDEOS / "chair-19-sd-bar.mp4", tmk=False)


def test_memory_does_not_grow_with_the_length_of_the_video(tmp_path):
    """No frame is kept: hashing four times as many frames peaks at about the same memory (numpy's is traced)."""
    short = write_video(tmp_path / "short.avi", "MJPG", 25.0, 40, size=(320, 240))
    long = write_video(tmp_path / "long.avi", "MJPG", 25.0, 160, size=(320, 240))
    peaks = []
    for path in (short, long, short):
        tracemalloc.start()
        hash_video(path, tmk=False)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    kept_frames_would_add = (160 - 40) * 320 * 240 * 3  # about 28 MB, against a peak of a few MB
    assert peaks[1] - max(peaks[0], peaks[2]) < kept_frames_would_add / 10


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pattern-hd-no-bar", "chair-19-sd-bar"])
def test_tmk_from_the_same_decoding_pass_matches_meta_reference(name, reference_video):
    from hashing.tmk import read_tmk

    result = reference_video(name)  # vPDQ of every frame and TMK, from one pass
    reference = read_tmk(EXPECTED.parent / "tmk" / f"{name}.tmk")
    assert result.tmk is not None
    assert result.tmk.level1(reference) >= 0.999999 and result.tmk.level2(reference) >= 0.999999


def test_tmk_sees_rotated_video_upright_as_players_show_it(tmp_path):
    stored = write_video(tmp_path / "stored.mp4", "mp4v", 25.0, 60)
    tagged = rotated_copy(stored, tmp_path / "tagged.mp4")  # same pixels, "turn 90 degrees" in the header
    turned = tmp_path / "turned.mp4"  # the pixels a player shows for the tagged file, stored upright
    writer = cv2.VideoWriter(str(turned), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (120, 160))
    for frame in textured_frames(60, (160, 120)):
        writer.write(cv2.rotate(frame, cv2.ROTATE_90_CLOCKWISE))
    writer.release()
    tagged_tmk, turned_tmk, stored_tmk = (hash_video(p).tmk for p in (tagged, turned, stored))
    assert tagged_tmk.level1(turned_tmk) > 0.99 and tagged_tmk.level2(turned_tmk) > 0.99
    assert tagged_tmk.level1(stored_tmk) < 0.5


@pytest.mark.slow
def test_videos_hashed_side_by_side_give_the_same_fingerprints(reference_video):
    """The app hashes several files at once on a thread pool. Without TMK here: adding it changes nothing else."""
    names = SHORT_VIDEOS
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = list(pool.map(lambda n: hash_video(VIDEOS / f"{n}.mp4", vpdq_every=0, tmk=False), names))
    assert results == [dataclasses.replace(reference_video(name), tmk=None) for name in names]


def test_a_video_whose_name_is_not_ascii_hashes_like_its_copy(tmp_path):
    """FFmpeg reads through our own file handle, so no name is ever encoded for it (nor shown to it)."""
    original = VIDEOS / "test-padded-dimensions.mp4"
    renamed = tmp_path / "vidéo für 日本 ✓ ملف.mp4"
    renamed.write_bytes(original.read_bytes())
    assert hash_video(renamed, tmk=False) == hash_video(original, tmk=False)
