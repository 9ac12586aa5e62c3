"""The reference filter evaluated on block means: exact at block size 1, every orientation as Pillow turns it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from hashing._reduced_pdq import block_size_for, pdq_from_block_means
from hashing.pdq import MIN_DIMENSION, jarosz_window, luma, pdq_from_luma, pdq_from_rgb
from hashing.results import PdqHash

PILLOW_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@pytest.mark.parametrize("shape", [(64, 64), (5, 9), (131, 257), (480, 640), (1001, 757)], ids=str)
def test_block_size_one_is_the_reference_filter(shape):
    rgb = np.random.default_rng(shape[0]).integers(0, 256, (*shape, 3), dtype=np.uint8)
    y = luma(rgb)
    assert pdq_from_block_means(y, shape, 1) == pdq_from_rgb(rgb)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_turns_the_image_as_pillow_does(photo, orientation):
    rgb = np.asarray(photo.resize((317, 203)))  # odd sides: a flipped axis starts with a partial block
    upright = np.asarray(Image.fromarray(rgb).transpose(PILLOW_TRANSPOSE[orientation])) if orientation > 1 else rgb
    y = luma(rgb)
    assert pdq_from_luma(y).quality == 100
    assert pdq_from_block_means(y, y.shape, 1, orientation) == pdq_from_luma(luma(upright))
    # Reduced 4x by block means (as Image.reduce does), the hash stays close to the full-resolution one.
    reduced = luma(np.asarray(Image.fromarray(rgb).reduce(4)))
    assert pdq_from_block_means(reduced, y.shape, 4, orientation).distance(pdq_from_luma(luma(upright))) <= 10


@pytest.mark.parametrize(
    ("size", "block"),
    [((4032, 3024), 8), ((3024, 4032), 8), ((8000, 6000), 8), ((2560, 1440), 4), ((1920, 1080), 2),
     ((1600, 1004), 2), ((1280, 720), 2), ((1024, 1024), 2), ((1024, 600), 1), ((640, 480), 1), ((300, 200), 1)],
    ids=str,
)
def test_a_block_spans_at_most_a_third_of_the_filter_window(size, block):
    assert block_size_for(*size) == block
    assert 3 * block <= min(jarosz_window(side) for side in size) or block == 1


def test_tiny_image_hashes_to_zero_quality_like_reference():
    assert pdq_from_block_means(np.zeros((1, 3)), (MIN_DIMENSION - 1, 20), 8) == PdqHash(bytes(32), 0)


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        pdq_from_block_means(np.zeros((10, 10)), (100, 100), 8)
    with pytest.raises(ValueError, match="orientation"):
        pdq_from_block_means(np.zeros((13, 13)), (100, 100), 8, orientation=9)
