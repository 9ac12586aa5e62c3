"""Our photo PDQ against the platforms' on pictures of every size and encoding (issue 9).

The corpus is made at test time by ``tools/pdq_corpus.py`` from the pictures in ``tests/data`` and synthetic
natural-like textures; the reference is Pillow's full decode, EXIF orientation applied, through Meta's C++ PDQ.
Lossless-decoded formats must match bit for bit; JPEGs within the bound of issue 9 (p95 <= 2, max <= 6) in
every size class. The largest pictures (over 4032 pixels) are marked ``slow``.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from hashing import Dihedral, hash_image
from tools import pdq_corpus
from tools.pdq_corpus import Case, Measured

#: Part of the full run only (encodes and hashes a corpus of pictures at every size); the quick loop leaves it out.
pytestmark = pytest.mark.slow

#: The acceptance bar of issue 9 for JPEGs; lossless-decoded formats must be exact.
JPEG_P95, JPEG_MAX = 2, 6

_PILLOW = pdq_corpus.turned_pillow()


def _measure(cases: list[Case]) -> list[Measured]:
    """Distances of the displayed-view hash, for the pictures a platform would keep (quality >= 50)."""
    results = pdq_corpus.measure(cases, lambda path: hash_image(path, dihedral=False).pdq[0].hash)
    return [result for result in results if result.reference_quality >= 50]


def _report(results: list[Measured], bound: int) -> list[str]:
    return [f"{r.case.name}: {r.distance} bits" for r in results if r.distance > bound]


@pytest.mark.parametrize(
    ("case", "bound"),
    [
        (Case("bricks", 1024, (1, 1)), JPEG_MAX),
        (Case("bricks", 256, (1, 1), format="png"), 0),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else None,
)
def test_reported_defect_fine_texture_at_web_sizes(case, bound):
    """The issue's report: a 1024-pixel brick JPEG and a 256x256 brick PNG were 30+ bits from the reference."""
    (result,) = _measure([case])
    assert result.distance <= bound


def _size_class_params():
    for name, _ in pdq_corpus.SIZE_CLASSES:
        marks = [pytest.mark.slow] if name.startswith("huge") else []
        yield pytest.param(name, marks=marks, id=name.split()[0])


@pytest.mark.parametrize("size_class", list(_size_class_params()))
def test_jpeg_within_the_bound_in_every_size_class(size_class):
    """Every JPEG of the class within 6 bits of the reference, and 95% of them within 2."""
    cases = [case for case in pdq_corpus.jpeg_cases() if case.size_class == size_class]
    if size_class.startswith(("photo", "huge")):
        cases = cases[::3]  # one per size: each takes seconds, and the smaller classes vary the encodings
    results = _measure(cases)
    assert len(results) >= len(cases) * 0.8  # the corpus is made of detailed pictures
    assert _report(results, JPEG_MAX) == []
    distances = [r.distance for r in results]
    assert np.percentile(distances, 95) <= JPEG_P95, _report(results, JPEG_P95)


@pytest.mark.parametrize("fmt", pdq_corpus.LOSSLESS_FORMATS)
def test_lossless_formats_are_bit_exact(fmt):
    """PNG, GIF, BMP, TIFF, WebP (lossy too: its decoder is deterministic), HEIC, AVIF: the reference's 256 bits."""
    results = _measure([case for case in pdq_corpus.lossless_cases() if case.format == fmt])
    assert results
    assert _report(results, 0) == []


@pytest.mark.parametrize(
    ("case", "bound"),
    [
        (Case("bridge", 720, (4, 3), format="png", orientation=6), 0),
        (Case("bricks", 256, (1, 1), format="webp-lossless"), 0),
        (Case("flowers", 333, (9, 16), format="png"), 0),
        (Case("phone", 4032, (4, 3), orientation=8), JPEG_MAX),
        (Case("clouds", 1920, (16, 9), progressive=True), JPEG_MAX),
        (Case("saturated", 1024, (3, 2), subsampling="4:4:4", orientation=3), JPEG_MAX),
        (Case("coaster", 600, (2, 3), orientation=5), 0),  # decoded in full: exact
    ],
    ids=lambda value: value.name if isinstance(value, Case) else None,
)
def test_every_turn_and_mirror_matches_the_reference_on_turned_pixels(case, bound, tmp_path):
    """Each of the seven dihedral hashes is what the platform computes on that turned or mirrored copy."""
    data = pdq_corpus.encode(case)
    shown = Image.fromarray(pdq_corpus.reference_rgb(data))
    path = tmp_path / case.name
    path.write_bytes(data)
    fingerprints = hash_image(path)
    assert [item.transform for item in fingerprints.dihedral] == list(Dihedral)
    distances = {}
    for item in fingerprints.dihedral:
        digest, quality = pdq_corpus.reference_pdq(np.asarray(shown.transpose(_PILLOW[item.transform])))
        distances[item.transform.value] = (int.from_bytes(digest, "big") ^ int.from_bytes(item.hash.digest, "big")).bit_count()
        assert item.hash.quality == quality or bound > 0
    assert max(distances.values()) <= bound, distances


def test_turned_hashes_can_be_left_out(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(pdq_corpus.encode(Case("bridge", 256, (4, 3), format="png", orientation=6)))
    every = hash_image(path)
    assert len(every.dihedral) == 7
    without = hash_image(path, dihedral=False)
    assert without.dihedral == ()
    assert without.pdq == every.pdq  # the displayed and stored views are the same either way


def test_corpus_files_are_what_they_say():
    """The corpus really has the encodings it claims (else the bound would be measured on something else)."""
    case = Case("bridge", 640, (3, 4), progressive=True, subsampling="4:4:4", orientation=6)
    with Image.open(io.BytesIO(pdq_corpus.encode(case))) as image:
        assert image.format == "JPEG" and image.info.get("progressive")
        assert image.getexif()[0x0112] == 6
        assert image.size == (640, 480)  # stored turned; shown 480 x 640
        assert JpegImagePlugin.get_sampling(image) == 0
