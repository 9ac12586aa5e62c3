"""TMK+PDQF scores like Meta's reference: same frames, same file bytes, same pair scores, sane on any frame rate.

The compatibility bar: for every sample video that has Meta's ``.tmk`` next to it, our hash of the video
scores level 1 and level 2 >= 0.99 against Meta's (Meta's own cross-platform tolerance is 0.92) with the same
frame count. Other frame rates, variable frame rates and rotated phone videos have no reference hash; they are
generated here (OpenCV writes MPEG-4 Part 2, and the MP4 boxes are edited for variable timing and rotation) and
checked for sanity: the right number of frames, each resampled frame showing the right moment, and the same
content scoring high whatever the frame rate or rotation.

What these tests cannot show: that ffmpeg 4.1 picks exactly the same frames as ``_frame_rate.py`` for rates
other than 30 fps or for variable-rate files (no reference hashes exist for them, and no ffmpeg 4.1 runs
here; the rule there is read from ffmpeg 4.1's source), and how the reference treats a video whose audio
starts before its picture (ffmpeg then repeats the first frame; we start the clock at the first frame).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
import pdqhash
import pytest

import hashing
from hashing._frame_rate import CfrResampler, FrameCopies
from tests.opencv import quiet_cv2
from hashing import video as video_module
from hashing._av import quiet_av
from hashing.errors import EmptyFile, FileMissing, HashingError, InvalidTmk
from hashing.tmk import (
    FOURIER_COEFFICIENTS,
    PERIODS,
    TMK_FILE_SIZE,
    TmkAccumulator,
    TmkAlgorithm,
    TmkHash,
    pdqf_feature,
    read_tmk,
    squash_to_64,
    tmk_match,
)
from hashing.tmk import _MAX_LITERAL_REPEATS
from hashing.video import hash_video

cv2 = quiet_cv2()  # writes the generated videos; OpenCV and its FFmpeg stay quiet whatever a test runs first
av = quiet_av()

DATA = Path(__file__).parents[1] / "data"
REFERENCE_NAMES = sorted(p.stem for p in (DATA / "expected" / "tmk").glob("*.tmk"))

# Pair scores printed by Meta's `tmk-two-level-score --c1 -1.0 --c2 0.0 *.tmk` in ThreatExchange's tmk/README.md,
# for the sample hashes we carry.
README_PAIR_SCORES = [
    ("chair-19-sd-bar", "chair-20-sd-bar", 0.989083, 0.991138),
    ("chair-19-sd-bar", "chair-orig-22-sd-bar", 0.952329, 0.961902),
    ("chair-19-sd-bar", "chair-22-sd-sepia-bar", 0.952936, 0.962041),
    ("chair-19-sd-bar", "chair-22-sd-grey-bar", 0.953346, 0.962158),
    ("chair-20-sd-bar", "chair-orig-22-sd-bar", 0.985408, 0.988313),
    ("chair-20-sd-bar", "chair-22-sd-sepia-bar", 0.985554, 0.988220),
    ("chair-20-sd-bar", "chair-22-sd-grey-bar", 0.985930, 0.988437),
    ("chair-22-sd-sepia-bar", "chair-orig-22-sd-bar", 0.999750, 0.999720),
    ("chair-22-sd-grey-bar", "chair-22-sd-sepia-bar", 0.999779, 0.999763),
    ("chair-22-sd-grey-bar", "chair-orig-22-sd-bar", 0.999963, 0.999964),
]


def reference(name: str) -> TmkHash:
    return read_tmk(DATA / "expected" / "tmk" / f"{name}.tmk")


def decode_into_accumulator(path: Path, rotation: int | None = None) -> tuple[TmkHash | None, list[float]]:
    """Decode every frame with PyAV as stored and feed the accumulator as the video pass does, in a loop of its own."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        accumulator = None
        timestamps = []
        for frame in container.decode(stream):
            if accumulator is None:
                turn = video_module._rotation_of(frame) if rotation is None else rotation
                accumulator = TmkAccumulator(float(stream.guessed_rate), turn, squash=video_module.FrameConverter().tmk_rgb64)
            timestamps.append(float((frame.pts - (stream.start_time or 0)) * stream.time_base))
            accumulator.add(frame, timestamps[-1])
    return (accumulator.finish() if accumulator else None), timestamps


@pytest.fixture(scope="module")
def reference_video_hashes(reference_video) -> dict[str, TmkHash]:
    """Our TMK of each of Meta's sample videos, from the app's own pass (decoded once per session)."""
    return {name: reference_video(name).tmk for name in REFERENCE_NAMES}


# -- the .tmk file --------------------------------------------------------------------------------------------


def test_every_reference_video_has_its_reference_hash():
    assert len(REFERENCE_NAMES) == 6
    assert all((DATA / "videos" / f"{name}.mp4").exists() for name in REFERENCE_NAMES)


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_reference_file_parses_and_serialises_to_the_same_bytes(name):
    raw = (DATA / "expected" / "tmk" / f"{name}.tmk").read_bytes()
    parsed = TmkHash.from_bytes(raw)
    assert len(raw) == TMK_FILE_SIZE == 263_344
    assert parsed.to_bytes() == raw
    assert TmkHash.from_bytes(parsed.to_bytes()) == parsed


def test_reference_header_fields_and_constants():
    raw = (DATA / "expected" / "tmk" / "chair-19-sd-bar.tmk").read_bytes()
    assert raw[:12] == b"TMK1FVECPDQF"
    assert struct.unpack("<5i", raw[12:32]) == (15, 4, 32, 256, 284)
    assert struct.unpack("<4i", raw[32:48]) == PERIODS
    assert raw[48:176] == np.asarray(FOURIER_COEFFICIENTS, "<f4").tobytes()
    parsed = reference("chair-19-sd-bar")
    assert (parsed.algorithm, parsed.fps, parsed.frame_count) == (TmkAlgorithm.PDQF, 15, 284)
    assert parsed.cos.shape == parsed.sin.shape == (4, 32, 256)
    assert not parsed.average.flags.writeable and not parsed.cos.flags.writeable


def test_fourier_coefficients_are_the_von_mises_weights():
    """a_0 = (I_0(32) - e^-32) / (2 sinh 32), a_j = I_j(32) / sinh 32, from the Bessel series (Poullot et al.)."""
    beta = 32.0

    def bessel(order: int) -> float:
        return sum(
            math.exp((2 * k + order) * math.log(beta / 2) - math.lgamma(k + 1) - math.lgamma(k + order + 1))
            for k in range(150)
        )

    expected = [(bessel(0) - math.exp(-beta)) / (2 * math.sinh(beta))]
    expected += [bessel(j) / math.sinh(beta) for j in range(1, 32)]
    np.testing.assert_allclose(FOURIER_COEFFICIENTS, expected, rtol=1e-9)


def test_hash_is_immutable_and_equal_by_content():
    a, b = reference("chair-19-sd-bar"), reference("chair-19-sd-bar")
    assert a == b and hash(a) == hash(b) and a != reference("chair-20-sd-bar")
    with pytest.raises(ValueError):
        a.cos[0, 0, 0] = 1.0
    with pytest.raises(AttributeError):
        a.frame_count = 3  # type: ignore[misc]
    assert "284 frames" in repr(a) and len(repr(a)) < 200


def corrupt(edit) -> bytes:
    data = bytearray((DATA / "expected" / "tmk" / "chair-20-sd-bar.tmk").read_bytes())
    edit(data)
    return bytes(data)


def float_at(section_offset: int, value: float):
    def edit(data: bytearray) -> None:
        data[section_offset : section_offset + 4] = struct.pack("<f", value)

    return edit


MALFORMED = {
    "empty": b"",
    "header-only": corrupt(lambda d: d.__delitem__(slice(32, None))),
    "truncated-by-one-byte": corrupt(lambda d: d.pop()),
    "truncated-in-the-sines": corrupt(lambda d: d.__delitem__(slice(200_000, None))),
    "trailing-bytes": corrupt(lambda d: d.extend(b"\0" * 4)),
    "bad-project-magic": corrupt(lambda d: d.__setitem__(slice(0, 4), b"TMK2")),
    "video-stream-not-feature-vectors": corrupt(lambda d: d.__setitem__(slice(4, 8), b"VSTR")),
    "other-frame-feature": corrupt(lambda d: d.__setitem__(slice(8, 12), b"PDQ?")),
    "other-frame-rate": corrupt(lambda d: d.__setitem__(slice(12, 16), struct.pack("<i", 30))),
    "wrong-dimension": corrupt(lambda d: d.__setitem__(slice(24, 28), struct.pack("<i", 128))),
    "huge-dimension": corrupt(lambda d: d.__setitem__(slice(24, 28), struct.pack("<i", 2**31 - 1))),
    "negative-frame-count": corrupt(lambda d: d.__setitem__(slice(28, 32), struct.pack("<i", -1))),
    "other-periods": corrupt(lambda d: d.__setitem__(slice(32, 36), struct.pack("<i", 2729))),
    "other-coefficients": corrupt(float_at(52, 0.2)),
    "nan-in-average": corrupt(float_at(176 + 40, math.nan)),
    "infinity-in-cosines": corrupt(float_at(1200 + 4000, math.inf)),
    "nan-in-sines": corrupt(float_at(TMK_FILE_SIZE - 4, math.nan)),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_are_rejected_with_a_clear_error(data):
    with pytest.raises(InvalidTmk) as caught:
        TmkHash.from_bytes(data)
    assert isinstance(caught.value, HashingError)
    assert caught.value.code == "invalid_tmk"
    assert caught.value.message.startswith("This video fingerprint file (.tmk) cannot be used: ")
    assert caught.value.reason


def test_read_tmk_reports_file_problems_without_naming_the_file(tmp_path):
    secret = tmp_path / "my-private-name.tmk"
    secret.write_bytes(MALFORMED["truncated-by-one-byte"])
    with pytest.raises(InvalidTmk) as caught:
        read_tmk(secret)
    assert "my-private-name" not in str(caught.value) and "cut short" in str(caught.value)
    (tmp_path / "empty.tmk").write_bytes(b"")
    with pytest.raises(EmptyFile):
        read_tmk(tmp_path / "empty.tmk")
    with pytest.raises(FileMissing):
        read_tmk(tmp_path / "gone.tmk")
    big = tmp_path / "big.tmk"
    big.write_bytes(MALFORMED["trailing-bytes"] + b"\0" * 10_000_000)
    with pytest.raises(InvalidTmk, match="longer than"):
        read_tmk(big)


# -- scores ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "level1", "level2"), README_PAIR_SCORES, ids=lambda v: str(v))
def test_pair_scores_reproduce_metas_published_values(a, b, level1, level2):
    result = tmk_match(reference(a), reference(b), c1=-1.0, c2=0.0)
    assert result.level1 == pytest.approx(level1, abs=1e-5)
    assert result.level2 == pytest.approx(level2, abs=1e-5)
    assert reference(b).level2(reference(a)) == pytest.approx(level2, abs=1e-5)  # symmetric


def test_a_video_scores_one_against_itself():
    chair = reference("chair-19-sd-bar")
    assert chair.level1(chair) == pytest.approx(1.0, abs=1e-6)
    assert chair.level2(chair) == pytest.approx(1.0, abs=1e-6)


def test_match_decision_uses_metas_thresholds_and_skips_level2_below_level1():
    same = tmk_match(reference("chair-19-sd-bar"), reference("chair-20-sd-bar"))
    assert same.is_match and same.level2 is not None
    assert (same.level1_threshold, same.level2_threshold) == (0.7, 0.7)
    different = tmk_match(reference("chair-19-sd-bar"), reference("pattern-hd-no-bar"))
    assert different.level1 < 0.7 and different.level2 is None and not different.is_match
    strict = tmk_match(reference("chair-19-sd-bar"), reference("chair-22-sd-grey-bar"), c1=0.96, c2=0.96)
    assert strict.level2 is None and not strict.is_match  # level 1 is 0.9533
    scored_anyway = tmk_match(reference("chair-19-sd-bar"), reference("pattern-hd-no-bar"), c1=-1.0, c2=0.0)
    assert scored_anyway.level2 is not None and scored_anyway.level2 < 0.2 and scored_anyway.is_match


def test_hashes_with_other_parameters_are_not_compared():
    chair = reference("chair-19-sd-bar")
    other_periods = TmkHash(
        chair.algorithm, chair.fps, [2729, 4391, 9767, 14653], chair.coefficients,
        chair.frame_count, chair.average, chair.cos, chair.sin,
    )  # fmt: skip
    assert chair.is_compatible(chair) and not chair.is_compatible(other_periods)
    with pytest.raises(ValueError, match="different parameters"):
        chair.level1(other_periods)
    with pytest.raises(ValueError, match="different parameters"):
        tmk_match(other_periods, chair)
    fewer_coefficients = TmkHash(
        chair.algorithm, chair.fps, chair.periods, chair.coefficients[:8],
        chair.frame_count, chair.average, chair.cos[:, :8], chair.sin[:, :8],
    )  # fmt: skip
    assert not chair.is_compatible(fewer_coefficients)
    assert fewer_coefficients.level2(fewer_coefficients) == pytest.approx(1.0, abs=1e-5)


def test_constructor_rejects_inconsistent_shapes():
    chair = reference("chair-19-sd-bar")
    with pytest.raises(ValueError):
        TmkHash(chair.algorithm, 15, chair.periods, chair.coefficients, 1, chair.average, chair.cos[:3], chair.sin)
    with pytest.raises(TypeError):
        TmkHash("PDQF", 15, chair.periods, chair.coefficients, 1, chair.average, chair.cos, chair.sin)  # type: ignore


# -- computing hashes: the compatibility bar ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_our_hash_of_each_sample_video_matches_metas(reference_video_hashes, name):
    ours, theirs = reference_video_hashes[name], reference(name)
    assert ours.frame_count == theirs.frame_count
    level1, level2 = ours.level1(theirs), ours.level2(theirs)
    assert level1 >= 0.99 and level2 >= 0.99
    # What this implementation measures (0.9999997 and up; 0.99997..0.99999 with OpenCV and Pillow's bicubic):
    # a drop means frame selection or scaling changed. The average frame feature is within 0.08% of Meta's.
    assert level1 >= 0.999999 and level2 >= 0.999999, (level1, level2)
    assert np.linalg.norm(ours.average - theirs.average) <= 1e-3 * np.linalg.norm(theirs.average)
    assert TmkHash.from_bytes(ours.to_bytes()) == ours
    assert len(ours.to_bytes()) == TMK_FILE_SIZE


@pytest.mark.slow
def test_our_hashes_rank_sample_pairs_like_metas(reference_video_hashes):
    for a, b, level1, level2 in README_PAIR_SCORES:
        result = tmk_match(reference_video_hashes[a], reference_video_hashes[b], c1=-1.0)
        assert result.level1 == pytest.approx(level1, abs=1e-4)  # measured: 3e-5 (7e-4 with OpenCV and Pillow)
        assert result.level2 == pytest.approx(level2, abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["chair-19-sd-bar", "pattern-hd-no-bar"])  # SD and HD
def test_the_video_pass_gives_the_same_tmk_as_feeding_the_accumulator_directly(reference_video, name):
    """``hash_video`` (one decode for MD5, vPDQ and TMK) hands the accumulator the same frames and timestamps."""
    direct, _ = decode_into_accumulator(DATA / "videos" / f"{name}.mp4")
    result = reference_video(name)
    assert result.tmk == direct
    assert result.tmk.frame_count == reference(name).frame_count
    assert result.tmk.level1(reference(name)) >= 0.99 and result.tmk.level2(reference(name)) >= 0.99
    assert hash_video(DATA / "videos" / "test-padded-dimensions.mp4", tmk=False).tmk is None


@pytest.mark.parametrize("frames", [564, 614, 673, 674, 120, 206, 235])
def test_thirty_fps_selection_is_ffmpeg_41s(frames):
    """ffmpeg 4.1 keeps input frames 0, 1, 2, 3, 5, 7, 9, ... of a 30-fps video: floor(N/2) + 2 frames.

    The counts are those of Meta's 15 sample videos, whose .tmk frame counts this rule reproduces.
    """
    resampler = CfrResampler(15, 30.0)
    kept = [k for k in range(frames) if resampler.add(k / 30).total]
    assert kept[:6] == [0, 1, 2, 3, 5, 7]
    assert kept[3:] == list(range(3, frames, 2))
    assert resampler.output_count + resampler.flush().total == frames // 2 + 2


def resample(timestamps: list[float], fps: float) -> tuple[list[FrameCopies], FrameCopies]:
    """ffmpeg's decision for each decoded frame, each lasting until the next (the last one nominal 1 / fps)."""
    resampler = CfrResampler(15, fps)
    durations = [b - a for a, b in zip(timestamps, timestamps[1:])] + [1 / fps]
    return [resampler.add(t, d) for t, d in zip(timestamps, durations)], resampler.flush()


def shown_spans(timestamps: list[float], fps: float) -> list[tuple[float, float]]:
    """For each resampled frame, when the decoded frame it shows starts and ends (seconds)."""
    decisions, tail = resample(timestamps, fps)
    ends = [*timestamps[1:], timestamps[-1] + 1 / fps]
    shown: list[tuple[float, float]] = []
    previous = (math.nan, math.nan)
    for span, copies in zip(zip(timestamps, ends), decisions):
        shown += [previous] * copies.previous + [span] * copies.current
        previous = span
    return shown + [previous] * tail.previous


def shows_its_moment(shown: list[tuple[float, float]]) -> bool:
    """Resampled frame t (at t / 15 s) shows the frame on screen then, give or take ffmpeg's lag of 1.5 frames."""
    return all(start - 0.1 <= t / 15 <= end + 0.1 for t, (start, end) in enumerate(shown))


# -- other frame rates, variable frame rate, rotation (generated videos) --------------------------------------

PHOTO = DATA / "images" / "bridge-mods" / "aaa-orig.jpg"


def scene(photo: np.ndarray, t: float, size: tuple[int, int] = (240, 320)) -> np.ndarray:
    """The picture at time t seconds: a window gliding and zooming over a photo, so every moment looks different."""
    h, w = photo.shape[:2]
    zoom = 0.5 + 0.2 * math.sin(2 * math.pi * t / 7)
    ch, cw = int(h * zoom), int(w * zoom)
    y = int((h - ch) * (0.5 + 0.5 * math.sin(2 * math.pi * t / 5)))
    x = int((w - cw) * (0.5 + 0.5 * math.cos(2 * math.pi * t / 3)))
    return cv2.resize(photo[y : y + ch, x : x + cw], (size[1], size[0]), interpolation=cv2.INTER_AREA)


def write_video(path: Path, fps: float, times: list[float], frame_at) -> Path:
    """MPEG-4 Part 2 in MP4: the codec this OpenCV build can write (no H.264 encoder is bundled)."""
    first = frame_at(times[0])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (first.shape[1], first.shape[0]))
    assert writer.isOpened()
    for t in times:
        writer.write(np.ascontiguousarray(frame_at(t)))
    writer.release()
    return path


_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}


def edit_mp4(path: Path, *, sample_durations: list[int] | None = None, rotation: int | None = None) -> None:
    """Rewrite an MP4's boxes: per-frame durations (``stts``) and/or a display rotation (``tkhd`` matrix).

    OpenCV's writer puts ``moov`` after ``mdat``, so resizing boxes inside ``moov`` moves no media data. The
    edit list is blanked (renamed ``free``) so that changed durations are not cut by it.
    """

    def rebuild(data: bytes) -> bytes:
        out, pos = [], 0
        while pos < len(data):
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            payload = data[pos + 8 : pos + size]
            pos += size
            if kind in _MP4_CONTAINERS:
                payload = rebuild(payload)
            if kind == b"edts":
                kind = b"free"
            elif kind == b"stts" and sample_durations is not None:
                entries = b"".join(struct.pack(">II", 1, d) for d in sample_durations)
                payload = payload[:4] + struct.pack(">I", len(sample_durations)) + entries
            elif kind == b"tkhd" and rotation is not None:
                at = 4 + (32 if payload[0] == 1 else 20) + 16  # version/flags, times, id, duration; layer..volume
                cos, sin = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}[rotation]
                matrix = struct.pack(">9i", cos << 16, sin << 16, 0, -sin << 16, cos << 16, 0, 0, 0, 1 << 30)
                payload = payload[:at] + matrix + payload[at + 36 :]
            out.append(struct.pack(">I4s", 8 + len(payload), kind) + payload)
        return b"".join(out)

    path.write_bytes(rebuild(path.read_bytes()))


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return cv2.imread(str(PHOTO))


@pytest.fixture(scope="module")
def thirty_fps_scene(tmp_path_factory, photo) -> TmkHash:
    times = [k / 30 for k in range(8 * 30)]
    path = write_video(tmp_path_factory.mktemp("fps") / "30.mp4", 30, times, lambda t: scene(photo, t))
    tmk, _ = decode_into_accumulator(path)
    assert tmk is not None and tmk.frame_count == 240 // 2 + 2
    return tmk


@pytest.mark.slow
@pytest.mark.parametrize("fps", [24, 25, 29.97, 60, 15, 12.5])
def test_other_frame_rates_resample_sanely_and_match_the_same_content_at_30(tmp_path, photo, thirty_fps_scene, fps):
    seconds = 8
    times = [k / fps for k in range(round(seconds * fps))]
    path = write_video(tmp_path / "scene.mp4", fps, times, lambda t: scene(photo, t))
    tmk, decoded = decode_into_accumulator(path)
    assert tmk is not None
    np.testing.assert_allclose(decoded, times, atol=2e-3)  # the decoder reports the frame times we wrote
    assert abs(tmk.frame_count - seconds * 15) <= 2
    shown = shown_spans(decoded, fps)
    assert len(shown) == tmk.frame_count and shows_its_moment(shown)
    assert tmk.level1(thirty_fps_scene) >= 0.97 and tmk.level2(thirty_fps_scene) >= 0.95
    assert hash_video(path).tmk == tmk  # the video pass feeds the accumulator the same way


@pytest.mark.slow
def test_variable_frame_rate_resamples_by_timestamp(tmp_path, photo):
    rng = np.random.default_rng(7)
    durations = [int(d) for d in rng.choice([256, 512, 512, 512, 768, 1024, 2048, 4096], size=200)]  # 1/15360 s
    times = [float(t) for t in np.concatenate([[0], np.cumsum(durations)[:-1]]) / 15360]
    # A calmer scene (a third of the speed): ffmpeg's output trails the content by 0 to 2 frames depending on
    # frame durations, which on fast motion alone moves the score by a few percent.
    path = write_video(tmp_path / "vfr.mp4", 30, times, lambda t: scene(photo, t / 3))
    edit_mp4(path, sample_durations=durations)
    tmk, decoded = decode_into_accumulator(path)
    assert tmk is not None
    np.testing.assert_allclose(decoded, times, atol=1e-3)  # the file really is variable-rate
    assert len({round(b - a, 4) for a, b in zip(decoded, decoded[1:])}) >= 6
    duration = sum(durations) / 15360
    # ffmpeg's output runs up to 2 frames past the content (30 fps: N / 2 + 2); the last frame's own duration
    # is not in the timestamps (the nominal one is used), which moves the end by up to a few frames more.
    assert -1 <= tmk.frame_count - duration * 15 <= 4
    shown = shown_spans(decoded, 30.0)
    assert len(shown) == tmk.frame_count and shows_its_moment(shown)
    assert hash_video(path).tmk == tmk  # the video pass feeds the accumulator the same way
    # What a player shows, re-encoded at a constant 30 fps (each moment shows the latest variable-rate frame),
    # is the same video to TMK.
    def held_frame(t: float) -> np.ndarray:
        return scene(photo, times[int(np.searchsorted(times, t + 1e-9)) - 1] / 3)

    constant = write_video(tmp_path / "cfr.mp4", 30, [k / 30 for k in range(round(duration * 30))], held_frame)
    cfr_tmk, _ = decode_into_accumulator(constant)
    assert tmk.level1(cfr_tmk) >= 0.99 and tmk.level2(cfr_tmk) >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_phone_video_hashes_as_shown_upright(tmp_path, photo, rotation):
    """A video stored sideways with a rotation tag hashes like the upright video, as ffmpeg auto-rotates."""
    times = [k / 30 for k in range(90)]
    upright = write_video(tmp_path / "upright.mp4", 30, times, lambda t: scene(photo, t, (320, 240)))
    # Stored turned back (counter-clockwise) by the angle a player turns it clockwise to show it.
    stored = write_video(tmp_path / "stored.mp4", 30, times,
                         lambda t: np.rot90(scene(photo, t, (320, 240)), k=rotation // 90))  # fmt: skip
    edit_mp4(stored, rotation=rotation)
    capture = cv2.VideoCapture(str(stored))
    assert capture.get(cv2.CAP_PROP_ORIENTATION_META) == rotation  # the tag is real metadata (OpenCV as a witness)
    ok, shown = capture.read()  # OpenCV auto-rotates by default, like ffmpeg's CLI
    assert ok and shown.shape == (320, 240, 3)
    with av.open(str(stored)) as container:
        assert video_module._rotation_of(next(container.decode(video=0))) == rotation  # and we read it the same

    upright_tmk, _ = decode_into_accumulator(upright)
    rotated_tmk, _ = decode_into_accumulator(stored)  # stored frames + the display matrix's rotation
    ignoring_rotation, _ = decode_into_accumulator(stored, rotation=0)
    assert rotated_tmk.level1(upright_tmk) >= 0.9999 and rotated_tmk.level2(upright_tmk) >= 0.9999
    assert ignoring_rotation.level1(upright_tmk) < 0.5  # so the check above can fail


@pytest.mark.parametrize("rotation", [90, 180, 270, -90, 450])
def test_rotation_of_frames_in_memory(photo, rotation):
    upright = TmkAccumulator(30)
    turned = TmkAccumulator(30, rotation_degrees=rotation)
    for k in range(40):
        frame = scene(photo, k / 30, (180, 320))
        upright.add(frame, k / 30)
        turned.add(np.ascontiguousarray(np.rot90(frame, k=rotation // 90)), k / 30)
    a, b = upright.finish(), turned.finish()
    assert a.frame_count == b.frame_count == 22
    assert a.level1(b) >= 0.99999 and a.level2(b) >= 0.99999


# -- the accumulator's arithmetic against the spec, written out naively ---------------------------------------


def naive_tmk(features: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TMK.md section 4 as loops in float64: average of raw features; cos/sin sums of unit features, normalised."""
    average = np.mean(features, axis=0)
    cos = np.zeros((4, 32, 256))
    sin = np.zeros((4, 32, 256))
    for t, feature in enumerate(features):
        unit = feature / np.linalg.norm(feature)
        for p, period in enumerate(PERIODS):
            for j in range(32):
                cos[p, j] += unit * math.cos(2 * math.pi * j * t / period)
                sin[p, j] += unit * math.sin(2 * math.pi * j * t / period)
    for p in range(4):
        for j in range(32):
            for block in (cos, sin):
                norm = np.linalg.norm(block[p, j])
                if norm > 0:
                    block[p, j] *= math.sqrt(FOURIER_COEFFICIENTS[j]) / norm
    return average, cos, sin


HOLES = {
    # 15 fps with a hole: the frame before it lasts 41 ticks, so it is written 41 times (closed-form sums).
    "15fps-hole": (15.0, [k / 15 for k in range(20)] + [4.0 + k / 15 for k in range(10)], 20 + 40 + 10),
    # 30 fps with a hole after frame 20, which ffmpeg would drop without the hole: its pixels must have waited.
    "30fps-hole-after-a-dropped-frame": (30.0, [k / 30 for k in range(21)] + [1.4 + k / 30 for k in range(9)],
                                         12 + 9 + 6),
}  # fmt: skip


@pytest.mark.parametrize(("fps", "times", "count"), HOLES.values(), ids=HOLES.keys())
def test_accumulator_equals_the_spec_formulas(photo, fps, times, count):
    frames = [scene(photo, t, (90, 160)) for t in times]
    accumulator = TmkAccumulator(fps)
    for frame, t in zip(frames, times):
        accumulator.add(frame, t)
    ours = accumulator.finish()

    features, previous = [], None
    decisions, tail = resample(times, fps)
    for frame, copies in zip(frames, decisions):
        feature = pdqf_feature(squash_to_64(frame)[:, :, ::-1]).astype(np.float64)  # BGR to RGB
        features += [previous] * copies.previous + [feature] * copies.current
        previous = feature
    features += [previous] * tail.previous
    assert len(features) == ours.frame_count == count
    if fps == 15:
        assert max(copies.total for copies in decisions) == 41 > _MAX_LITERAL_REPEATS  # the closed-form path ran
    else:
        # Even frames are dropped at 30 fps; frame 20 is kept (9 times) only because of the hole after it.
        assert decisions[18].total == 0 and decisions[20].total == 9
    average, cos, sin = naive_tmk(features)
    np.testing.assert_allclose(ours.average, average, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(ours.cos, cos, atol=2e-6)
    np.testing.assert_allclose(ours.sin, sin, atol=2e-6)


def test_pdqf_is_pdqs_float_block_of_the_frame():
    """Meta's pdqhash binding returns the same 16x16 block, reversed (its element 0 is B[15, 15])."""
    rgb = np.random.default_rng(5).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    theirs = np.asarray(pdqhash.compute_float(rgb)[0], np.float32)[::-1]
    np.testing.assert_allclose(pdqf_feature(rgb), theirs, rtol=0, atol=2e-3)


# -- the accumulator's contract -------------------------------------------------------------------------------


def test_no_frames_gives_no_hash_and_a_single_frame_gives_one():
    assert TmkAccumulator(30).finish() is None
    single = TmkAccumulator(30)
    single.add(np.full((10, 12, 3), 90, np.uint8), 0.0)
    tmk = single.finish()
    assert tmk.frame_count == 1
    assert np.abs(tmk.average).max() < 1e-3  # a flat frame has no DCT energy outside DC, up to rounding
    empty = TmkHash(tmk.algorithm, 15, tmk.periods, tmk.coefficients, 0, np.zeros(256), np.zeros((4, 32, 256)),
                    np.zeros((4, 32, 256)))  # fmt: skip
    assert empty.level1(empty) == 0.0 and empty.level1(tmk) == 0.0 and empty.level2(tmk) == 0.0


def test_finish_is_final():
    accumulator = TmkAccumulator(30)
    accumulator.add(np.zeros((4, 4, 3), np.uint8), 0.0)
    first = accumulator.finish()
    assert accumulator.finish() is first
    with pytest.raises(RuntimeError):
        accumulator.add(np.zeros((4, 4, 3), np.uint8), 1.0)


@pytest.mark.parametrize(
    "frame",
    [np.zeros((8, 8), np.uint8), np.zeros((8, 8, 4), np.uint8), np.zeros((8, 8, 3), np.float32),
     np.zeros((0, 8, 3), np.uint8), [[0, 0, 0]]],
    ids=["gray", "bgra", "float", "empty", "list"],
)  # fmt: skip
def test_frames_that_are_not_bgr_images_are_refused(frame):
    with pytest.raises(ValueError):
        TmkAccumulator(30).add(frame, 0.0)


@pytest.mark.parametrize("rotation", [45, 1, 90.5, True])
def test_rotation_must_be_a_quarter_turn(rotation):
    with pytest.raises(ValueError):
        TmkAccumulator(30, rotation_degrees=rotation)


def test_unknown_frame_rate_and_missing_timestamps_still_hash():
    with pytest.raises(ValueError):
        TmkAccumulator(-1)
    for fps in (0.0, math.nan, math.inf):
        accumulator = TmkAccumulator(fps)
        for k in range(60):
            accumulator.add(np.full((16, 16, 3), k * 4, np.uint8), math.nan if k % 7 == 3 else k / 30)
        assert 29 <= accumulator.finish().frame_count <= 33


def test_public_names_are_exported():
    for name in ("TmkHash", "TmkAccumulator", "TmkMatch", "TmkAlgorithm", "tmk_match", "read_tmk", "InvalidTmk"):
        assert name in hashing.__all__ and getattr(hashing, name)


def test_absurd_timestamp_jumps_stay_cheap_and_follow_ffmpeg():
    """A damaged file's timestamps may leap ahead: ffmpeg repeats the frame to fill an hour, but not 60 hours."""
    frame = np.random.default_rng(2).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    accumulator = TmkAccumulator(30)
    for t in [0.0, 1 / 30, 2 / 30, 3600.0, 3600 + 1 / 30, 3600 + 2 / 30]:
        accumulator.add(frame, t)
    an_hour = accumulator.finish()
    assert abs(an_hour.frame_count - 3600 * 15) <= 3
    accumulator = TmkAccumulator(30)
    for t in [0.0, 1 / 30, 2 / 30, 10**7, 10**7 + 1 / 30]:
        accumulator.add(frame, t)
    assert accumulator.finish().frame_count <= 4  # the 115-day repeat is skipped, as ffmpeg skips it
