"""The reference filter evaluated on block means: exact at block size 1, every orientation as Pillow turns it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from hashing._reduced_pdq import MIN_BLOCKS_PER_SIDE, block_size_for, pdq_from_block_means
from hashing.pdq import MIN_DIMENSION, luma, pdq_from_luma, pdq_from_rgb
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


def test_choice_of_block_size():
    assert block_size_for(4032, 3024) == 8
    assert block_size_for(1600, 1004) == 4
    assert block_size_for(300, 200) == 1
    assert block_size_for(8 * MIN_BLOCKS_PER_SIDE, 8 * MIN_BLOCKS_PER_SIDE) == 8


def test_tiny_image_hashes_to_zero_quality_like_reference():
    assert pdq_from_block_means(np.zeros((1, 3)), (MIN_DIMENSION - 1, 20), 8) == PdqHash(bytes(32), 0)


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        pdq_from_block_means(np.zeros((10, 10)), (100, 100), 8)
    with pytest.raises(ValueError, match="orientation"):
        pdq_from_block_means(np.zeros((13, 13)), (100, 100), 8, orientation=9)
