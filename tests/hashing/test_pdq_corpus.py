"""Our photo PDQ against the platforms' on pictures of every size and encoding (issue 9).

The corpus is made at test time by ``tools/pdq_corpus.py`` from the pictures in ``tests/data`` and synthetic
natural-like textures; the reference is Pillow's full decode through Meta's C++ PDQ.
"""

from __future__ import annotations

import pytest

from hashing import hash_image
from tools import pdq_corpus
from tools.pdq_corpus import Case

#: The acceptance bar of issue 9 for JPEGs; lossless-decoded formats must be exact.
JPEG_P95, JPEG_MAX = 2, 6


def _distance(case: Case, tmp_path) -> int:
    (result,) = pdq_corpus.measure([case], lambda path: hash_image(path).pdq[0].hash)
    return result.distance


@pytest.mark.parametrize(
    ("case", "bound"),
    [
        (Case("bricks", 1024, (1, 1)), JPEG_MAX),
        (Case("bricks", 256, (1, 1), format="png"), 0),
    ],
    ids=lambda value: value.name if isinstance(value, Case) else None,
)
def test_reported_defect_fine_texture_at_web_sizes(case, bound, tmp_path):
    """The issue's report: a 1024-pixel brick JPEG and a 256x256 brick PNG were 30+ bits from the reference."""
    assert _distance(case, tmp_path) <= bound
