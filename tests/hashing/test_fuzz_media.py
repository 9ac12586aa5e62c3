"""The media fuzzer's short round, and every input it (or ``scripts/fuzz``) ever found, replayed.

Each input must either be fingerprinted or fail with one of our coded errors within its budget; see
``fuzz_media.py`` for how inputs are made and what counts as a finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hashing.fuzz_media import EXTRA_SEEDS, FINDINGS, SEEDS, check_one, load_seeds, run_round

#: Derandomised, so every run tries the same inputs: about 15 s on a two-core machine.
SHORT_ROUND_EXAMPLES = 500


def test_every_supported_format_has_a_seed() -> None:
    names = set(load_seeds())
    expected = {"photo.jpg", "progressive.jpg", "photo.png", "animated.png", "animated.gif", "photo.webp",
                "animated.webp", "photo.heic", "photo.avif", "photo.bmp", "photo.tif", "video.mp4", "video.avi",
                "video.mkv"}
    assert expected | {path.name for path in EXTRA_SEEDS} <= names


@pytest.mark.parametrize("path", sorted(SEEDS.iterdir()) + list(EXTRA_SEEDS), ids=lambda path: path.name)
def test_every_seed_is_fingerprinted(path: Path, tmp_path: Path) -> None:
    assert check_one(path.read_bytes(), tmp_path) == "hashed"


@pytest.mark.slow
def test_a_short_round_of_mutated_media_finds_nothing() -> None:
    outcomes = run_round(SHORT_ROUND_EXAMPLES, derandomize=True)
    assert sum(outcomes.values()) >= SHORT_ROUND_EXAMPLES * 0.9
    assert "hashed" in outcomes and "corrupt" in outcomes, outcomes  # the mutations reach both ends


def test_past_findings_now_end_in_fingerprints_or_a_coded_error(tmp_path: Path) -> None:
    for path in sorted(FINDINGS.glob("*.bin")):
        check_one(path.read_bytes(), tmp_path)  # raises Finding, naming what went wrong
