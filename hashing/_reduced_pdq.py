"""PDQ of a large JPEG from a reduced copy of it: the reference's full-resolution filter, applied to block means.

Decoding a 12-megapixel JPEG fully and running PDQ's float32 Jarosz filter over every pixel is what makes the
reference slow. PDQ only keeps 64x64 samples of two box-filter passes whose window spans
``jarosz_window(side)``, about ``side / 128`` pixels, so a copy reduced by averaging ``s x s`` blocks (JPEG's
DCT-domain 1/2, 1/4 and 1/8 decoding) holds what the hash needs, as long as a block stays well inside one
window.

The two box passes and the decimation along one axis are a linear map from ``n`` pixels to 64 samples (the
same matrix the video path uses, ``pdq.resampling_matrix``). Here its weights are summed over each block and
applied to the block means along each axis; the orientation of the displayed photo (or any of its turns and
mirrors) is folded into those weights, so each view costs two small products.

**The rule.** A JPEG is decoded at ``1/block`` only if ``3 * block <= window`` on its shorter side
(:func:`block_size_for`); otherwise it is decoded in full and hashed exactly as the reference does. Measured
(``tools/pdq_corpus.py --blocks --full --max-side 4100``: the 279 corpus JPEGs of 64..4032 pixels, every
encoding and orientation, quality >= 50, each decoded at 1/2, 1/4 and 1/8 where libjpeg can, luma from the
reduced RGB) as distance to the reference by ``block / window``:

===============  ======  ======  ===  ====
block / window   hashes  median  p95  max
===============  ======  ======  ===  ====
<= 1/4           107     0       2    4
1/4 .. 1/3       84      0       2    4
1/3 .. 1/2       102     0       4    6
1/2 .. 0.9       135     2       6    14
>= 0.9           409     8       79   120
===============  ======  ======  ===  ====

so at most a third keeps the p95 at 2 and the worst file at 4 (the issue's bar: p95 <= 2, max <= 6), while a
12-megapixel photo (window 24 on its short side) still decodes at 1/8 and a 1080p one (window 9) at 1/2. The reduced copy is
decoded as RGB, not as the Y plane: where a saturated colour clamps in the RGB conversion, the Y plane is no
longer the luma PDQ sees (a block mean of clamped pixels is close to the clamped block mean, the Y plane is not).

Spec: ``pdqhashing.cpp`` (``box1DFloat``, ``decimateFloat``) in facebook/ThreatExchange.
"""

from __future__ import annotations

import functools

import numpy as np

from .pdq import MIN_DIMENSION, bits_to_digest, dct16, jarosz_window, quality_of_64x64, resampling_matrix
from .results import PdqHash

__all__ = ["BLOCKS_PER_WINDOW", "block_size_for", "pdq_from_block_means", "pdq_views_from_block_means"]

#: PDQ's box-filter window must span at least this many blocks (measured: see the module docstring).
BLOCKS_PER_WINDOW = 3

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
    """The largest reduction factor (8, 4, 2, else 1) whose block spans at most a third of PDQ's window."""
    window = min(jarosz_window(width), jarosz_window(height))
    for factor in (8, 4, 2):
        if BLOCKS_PER_WINDOW * factor <= window:
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
    return pdq_views_from_block_means(blocks, full_shape, block, (orientation,))[orientation]


def pdq_views_from_block_means(
    blocks: np.ndarray, full_shape: tuple[int, int], block: int, orientations: tuple[int, ...]
) -> dict[int, PdqHash]:
    """:func:`pdq_from_block_means` for several EXIF orientations at once, sharing the larger product.

    The views that read the stored rows as displayed rows, in the same direction, share the first product
    (across the rows); only the small second one differs. Eight views cost about three times one.
    """
    rows, cols = full_shape
    if blocks.ndim != 2 or blocks.shape != (-(-rows // block), -(-cols // block)):
        raise ValueError(f"{blocks.shape} block means do not fit a {full_shape} image in {block}-pixel blocks")
    if any(orientation not in _DISPLAY_AXES for orientation in orientations):
        raise ValueError(f"EXIF orientation is 1..8, got {orientations}")
    if rows < MIN_DIMENSION or cols < MIN_DIMENSION:
        return {orientation: PdqHash(bytes(32), 0) for orientation in orientations}
    values = np.asarray(blocks, dtype=np.float64)
    across: dict[tuple[int, bool], np.ndarray] = {}
    y64s = []
    for orientation in orientations:
        (row_axis, rows_reversed), (col_axis, cols_reversed) = _DISPLAY_AXES[orientation]
        if (row_axis, rows_reversed) not in across:
            stored = values.T if row_axis == 1 else values  # a quarter turn or transpose: rows are stored columns
            weights = _block_weights(full_shape[row_axis], block, rows_reversed)
            across[row_axis, rows_reversed] = _apply_band(weights, stored).T
        y64s.append(_apply_band(_block_weights(full_shape[col_axis], block, cols_reversed), across[row_axis, rows_reversed]).T)
    stack = np.ascontiguousarray(np.stack(y64s), dtype=np.float32)
    return {
        orientation: PdqHash(bits_to_digest(dct), quality_of_64x64(y64))
        for orientation, dct, y64 in zip(orientations, dct16(stack), stack, strict=True)
    }


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
    return resampling_matrix(length).astype(np.float64)
