"""PDQ of a photo from a reduced copy of it: the reference's full-resolution filter, applied to block means.

Decoding a 12-megapixel JPEG fully and running PDQ's float32 Jarosz filter over every pixel is what makes the
reference slow. PDQ only keeps 64x64 samples of two box-filter passes whose windows span about 1/128 of the
image, so a copy reduced by averaging ``s x s`` blocks (JPEG's DCT-domain 1/2, 1/4, 1/8 decoding, or Pillow's
``reduce``) holds what the hash needs, as long as a block stays well inside one window.

The two box passes and the decimation along one axis are a linear map from ``n`` pixels to 64 samples (the
same matrix the video path uses, ``pdq._resampling_matrix``). Here its weights are summed over each block and
applied to the block means along each axis; the orientation of the displayed photo is folded into those
weights, so both the displayed and the stored view cost two small products each. With block size 1 this is the reference's filter
up to float rounding. ``tests/hashing/test_image.py`` bounds the distance to the reference CSV on every test
image; ``benchmarks/bench_images.py`` measures speed and distance on 12-megapixel phone photos.

Spec: ``pdqhashing.cpp`` (``box1DFloat``, ``decimateFloat``) in facebook/ThreatExchange.
"""

from __future__ import annotations

import functools

import numpy as np

from .pdq import MIN_DIMENSION, _bits_to_digest, _resampling_matrix, dct16, quality_of_64x64
from .results import PdqHash

__all__ = ["MIN_BLOCKS_PER_SIDE", "block_size_for", "pdq_from_block_means"]

#: The shorter side keeps at least this many blocks: measured on the reference images, 128 keeps every
#: hash within distance 4 of the full-resolution reference while a 12-megapixel photo still reduces 8x.
MIN_BLOCKS_PER_SIDE = 128

# For each EXIF orientation: which stored axis becomes the displayed rows and columns, and whether it runs
# backwards. Matches Pillow's ``ImageOps.exif_transpose`` (2 = mirror, 3 = 180 degrees, 6 = 90 clockwise ...).
_DISPLAY_AXES: dict[int, tuple[tuple[int, bool], tuple[int, bool]]] = {
    1: ((0, False), (1, False)),
    2: ((0, False), (1, True)),
    3: ((0, True), (1, True)),
    4: ((0, True), (1, False)),
    5: ((1, False), (0, False)),
    6: ((1, False), (0, True)),
    7: ((1, True), (0, True)),
    8: ((1, True), (0, False)),
}


def block_size_for(width: int, height: int) -> int:
    """The largest reduction factor (8, 4, 2 or 1) that keeps :data:`MIN_BLOCKS_PER_SIDE` on the short side."""
    for factor in (8, 4, 2):
        if min(width, height) // factor >= MIN_BLOCKS_PER_SIDE:
            return factor
    return 1


def pdq_from_block_means(
    blocks: np.ndarray, full_shape: tuple[int, int], block: int, orientation: int = 1
) -> PdqHash:
    """PDQ of the image whose ``block x block`` cell means are ``blocks``, shown with EXIF ``orientation``.

    Args:
        blocks: ``(ceil(H / block), ceil(W / block))`` luma means (0..255); the last row and column of cells
            may cover fewer pixels, as JPEG's scaled decoding and ``Image.reduce`` produce them.
        full_shape: ``(H, W)`` of the full-resolution image the blocks came from, in the same orientation.
        block: the reduction factor (1 = the full-resolution luma itself).
        orientation: EXIF orientation 1..8 to apply before hashing (1 = as given).

    Raises:
        ValueError: the shapes do not fit together or the orientation is not 1..8.
    """
    rows, cols = full_shape
    if blocks.ndim != 2 or blocks.shape != (-(-rows // block), -(-cols // block)):
        raise ValueError(f"{blocks.shape} block means do not fit a {full_shape} image in {block}-pixel blocks")
    if orientation not in _DISPLAY_AXES:
        raise ValueError(f"EXIF orientation is 1..8, got {orientation}")
    if rows < MIN_DIMENSION or cols < MIN_DIMENSION:
        return PdqHash(bytes(32), 0)
    (row_axis, rows_reversed), (col_axis, cols_reversed) = _DISPLAY_AXES[orientation]
    values = np.asarray(blocks, dtype=np.float64)
    if row_axis == 1:  # a quarter turn or transpose: displayed rows are stored columns
        values = values.T
    across_rows = _apply_band(_block_weights(full_shape[row_axis], block, rows_reversed), values)
    y64 = _apply_band(_block_weights(full_shape[col_axis], block, cols_reversed), across_rows.T).T
    y64 = np.ascontiguousarray(y64, dtype=np.float32)
    return PdqHash(_bits_to_digest(dct16(y64)), quality_of_64x64(y64))


def _apply_band(band: tuple[np.ndarray, np.ndarray], values: np.ndarray) -> np.ndarray:
    """``weights @ values`` for a weight matrix whose rows are non-zero only on a short contiguous run.

    Each of the 64 outputs reads a few dozen rows at most, so gathering them beats a BLAS product; and it
    never starts BLAS worker threads, which on a busy computer spin for longer than the sum itself takes.
    """
    starts, weights = band
    rows = starts[:, None] + np.arange(weights.shape[1])
    return np.einsum("kb,kbc->kc", weights, values[np.minimum(rows, len(values) - 1)])


@functools.lru_cache(maxsize=64)
def _block_weights(length: int, block: int, reversed_: bool) -> tuple[np.ndarray, np.ndarray]:
    """The reference's filter and decimation summed over each block, as (first block, weights) per output.

    Output ``k`` is ``sum(weights[k, b] * values[first[k] + b])``; weights past the last block are zero.
    """
    weights = _pixel_weights(length)
    if reversed_:
        weights = weights[:, ::-1]
    padding = -length % block
    dense = np.pad(weights, ((0, 0), (0, padding))).reshape(64, -1, block).sum(axis=2)
    nonzero = dense != 0
    first = nonzero.argmax(axis=1)
    last = dense.shape[1] - 1 - nonzero[:, ::-1].argmax(axis=1)
    width = int((last - first).max()) + 1
    columns = first[:, None] + np.arange(width)
    inside = columns < dense.shape[1]
    band = np.where(inside, dense[np.arange(64)[:, None], np.minimum(columns, dense.shape[1] - 1)], 0.0)
    return first, band


def _pixel_weights(length: int) -> np.ndarray:
    """``64 x length`` map equal to two ``box1DFloat`` passes followed by ``decimateFloat`` (shared with video)."""
    return _resampling_matrix(length).astype(np.float64)
