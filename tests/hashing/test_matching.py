"""vPDQ matching gives the numbers Meta's own matcher gives; the vpdq text format round-trips."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from hashing.matching import (
    VpdqConvention,
    distance_matrix,
    format_vpdq_text,
    hamming_distance,
    match_vpdq,
    parse_vpdq_text,
)
from hashing.results import PdqHash, VpdqFrame

EXPECTED = Path(__file__).parents[1] / "data" / "expected" / "vpdq"


def reference(name: str) -> tuple[VpdqFrame, ...]:
    return parse_vpdq_text((EXPECTED / f"{name}.txt").read_text())


@pytest.fixture(scope="module")
def threatexchange_brute_matcher():
    """python-threatexchange's own vPDQ matcher, the code Meta's Hasher-Matcher-Actioner runs.

    Its module imports the compiled ``vpdq`` binding only to name a type in an annotation; that binding needs
    FFmpeg headers to build and is not installed, so a bare module stands in for the import alone.
    """
    saved = sys.modules.get("vpdq")
    if saved is None:
        stand_in = types.ModuleType("vpdq")
        stand_in.VpdqFeature = object
        sys.modules["vpdq"] = stand_in
    try:
        from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute
        from threatexchange.extensions.vpdq.vpdq_util import VpdqCompactFeature
    finally:
        if saved is None:
            del sys.modules["vpdq"]

    def match(query, compared):
        def compact(frames):
            return [VpdqCompactFeature(f.hash.hex, f.quality, f.timestamp) for f in frames]

        result = match_VPDQ_hash_brute(compact(query), compact(compared), 50, 31)
        return result.query_match_percent, result.compared_match_percent

    return match


def random_hash(rng: np.random.Generator, quality: int = 100) -> PdqHash:
    return PdqHash(rng.integers(0, 256, 32, dtype=np.uint8).tobytes(), quality)


def flip_bits(pdq: PdqHash, count: int, rng: np.random.Generator, quality: int | None = None) -> PdqHash:
    value = int.from_bytes(pdq.digest, "big")
    for bit in rng.choice(256, count, replace=False):
        value ^= 1 << int(bit)
    return PdqHash(value.to_bytes(32, "big"), pdq.quality if quality is None else quality)


def frames(hashes) -> list[VpdqFrame]:
    return [VpdqFrame(n, n / 30, h) for n, h in enumerate(hashes)]


def test_hamming_distance_accepts_hashes_bytes_and_hex():
    a = PdqHash.from_hex("f" * 64)
    b = PdqHash.from_hex("0" * 63 + "7")
    assert hamming_distance(a, b) == 253
    assert hamming_distance(a.hex, b.digest) == 253
    with pytest.raises(TypeError):
        hamming_distance(a, 12)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hamming_distance(a, "abc")


def test_distance_matrix_equals_pairwise_distances():
    rng = np.random.default_rng(5)
    rows = [random_hash(rng) for _ in range(7)]
    columns = [random_hash(rng) for _ in range(5)] + [rows[2]]
    matrix = distance_matrix(rows, columns)
    assert matrix.shape == (7, 6)
    assert matrix.tolist() == [[a.distance(b) for b in columns] for a in rows]
    assert distance_matrix([], columns).shape == (0, 6)


@pytest.mark.parametrize(
    ("query_name", "compared_name"),
    [pytest.param("chair-19-sd-bar", "chair-20-sd-bar", marks=pytest.mark.slow),
     ("chair-22-sd-grey-bar", "pattern-hd-no-bar"),
     pytest.param("chair-22-sd-sepia-bar", "chair-orig-22-sd-bar", marks=pytest.mark.slow)],
)
def test_same_percentages_as_threatexchange_on_meta_hashes(threatexchange_brute_matcher, query_name, compared_name):
    # Every 6th frame keeps Meta's pure-Python matcher quick while keeping near and far pairs.
    query, compared = reference(query_name)[::6], reference(compared_name)[::6]
    ours = match_vpdq(query, compared)
    assert (ours.query_match_percent, ours.compared_match_percent) == pytest.approx(
        threatexchange_brute_matcher(query, compared), abs=1e-9
    )


def test_same_percentages_as_threatexchange_with_repeats_low_quality_and_edge_distances(
    threatexchange_brute_matcher,
):
    rng = np.random.default_rng(11)
    base = [random_hash(rng) for _ in range(40)]
    query = base[:30] + [base[0], base[1]] + [flip_bits(base[3], 5, rng, quality=40)]
    compared = (
        [flip_bits(h, 31, rng) for h in base[:10]]  # exactly at the threshold: found
        + [flip_bits(h, 32, rng) for h in base[10:20]]  # one past it: not found
        + [flip_bits(h, 3, rng, quality=49) for h in base[20:25]]  # close but below the quality bar
        + [random_hash(rng) for _ in range(12)]
    )
    ours = match_vpdq(frames(query), frames(compared))
    theirs = threatexchange_brute_matcher(frames(query), frames(compared))
    assert (ours.query_match_percent, ours.compared_match_percent) == pytest.approx(theirs, abs=1e-9)
    assert ours.query_frames == 30  # the two repeats and the quality-40 frame are left out
    assert ours.query_match_percent == pytest.approx(100 * 10 / 30)


def test_cpp_convention_is_strict_and_keeps_repeats():
    rng = np.random.default_rng(2)
    base = [random_hash(rng) for _ in range(10)]
    compared = [flip_bits(h, 31, rng) for h in base[:5]] + [flip_bits(h, 30, rng) for h in base[5:]]
    query = base + [base[0]]
    threatexchange = match_vpdq(frames(query), frames(compared))
    cpp = match_vpdq(frames(query), frames(compared), convention=VpdqConvention.CPP)
    assert threatexchange.query_match_percent == 100.0 and threatexchange.query_frames == 10
    assert cpp.query_frames == 11
    assert cpp.query_match_percent == pytest.approx(100 * 5 / 11)  # distance 31 is not "< 31"


def test_cpp_convention_reproduces_meta_cross_video_figure():
    # VPDQ.md: Meta's C++ matcher gives 100% / 83.95% for chair-19 against chair-22-sd-grey-bar.
    result = match_vpdq(reference("chair-19-sd-bar"), reference("chair-22-sd-grey-bar"), convention=VpdqConvention.CPP)
    assert result.query_match_percent == 100.0
    assert result.compared_match_percent == pytest.approx(83.95, abs=0.005)


def test_is_match_uses_query_80_and_compared_0_by_default():
    rng = np.random.default_rng(4)
    query = [random_hash(rng) for _ in range(10)]
    compared = query[:8] + [random_hash(rng) for _ in range(92)]
    result = match_vpdq(frames(query), frames(compared))
    assert (result.query_match_percent, result.compared_match_percent) == (80.0, 8.0)
    assert result.is_match
    fewer = query[:7] + [random_hash(rng) for _ in range(3)]
    assert match_vpdq(frames(fewer), frames(compared)).query_match_percent == 70.0
    assert not match_vpdq(frames(fewer), frames(compared)).is_match
    assert not match_vpdq(frames(query), frames(compared), compared_match_percent=10.0).is_match
    assert not match_vpdq(frames(compared), frames(query)).is_match  # the other way round only 8%


def test_nothing_matchable_is_no_match_without_dividing_by_zero():
    rng = np.random.default_rng(8)
    blurry = [random_hash(rng, quality=20) for _ in range(5)]
    result = match_vpdq(frames(blurry), frames(blurry))
    assert result == type(result)(0.0, 0.0, 0, 0, False)
    assert match_vpdq([], frames([random_hash(rng)])).is_match is False


def test_large_videos_are_compared_in_blocks_with_the_same_answer():
    rng = np.random.default_rng(6)
    query = [random_hash(rng) for _ in range(3000)]
    compared = [flip_bits(h, 20, rng) for h in query[::3]] + [random_hash(rng) for _ in range(1200)]
    result = match_vpdq(frames(query), frames(compared))
    assert result.query_match_percent == pytest.approx(100 * 1000 / 3000)
    assert result.compared_match_percent == pytest.approx(100 * 1000 / 2200)


@pytest.mark.parametrize("bad", [{"distance_threshold": -1}, {"quality_threshold": 101}, {"query_match_percent": 120}])
def test_rejects_thresholds_out_of_range(bad):
    with pytest.raises(ValueError):
        match_vpdq([], [], **bad)


def test_vpdq_text_round_trips_meta_files_byte_for_byte():
    for path in sorted(EXPECTED.glob("*.txt")):
        text = path.read_text()
        assert format_vpdq_text(parse_vpdq_text(text)) == text, path.name


def test_parser_reports_the_bad_line():
    good = "0,100," + "a" * 64 + ",0.000\n"
    assert len(parse_vpdq_text(good + "\n" + good.replace("0,", "1,", 1))) == 2
    for bad in ["0,100,abc,0.000", "0,100," + "a" * 64, "x,100," + "a" * 64 + ",0.0", "0,101," + "a" * 64 + ",0.0"]:
        with pytest.raises(ValueError, match="line 2"):
            parse_vpdq_text(good + bad)
