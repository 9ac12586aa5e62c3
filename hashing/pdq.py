"""PDQ, Meta's perceptual image hash, in numpy: bit-identical to the C++ reference on the same RGB pixels.

Platforms match uploads with Meta's own PDQ code, so "close to PDQ" is not enough: every float32 operation
here happens in the order ``pdq/cpp/hashing/pdqhashing.cpp`` does it (sequential running sums in the Jarosz
box filter, sequential dot products in the DCT), vectorised only across rows or columns that the reference
treats independently. ``tests/hashing/test_pdq.py`` checks bit-identity against the ``pdqhash`` binding of
that C++ code on random and real images.

Spec: https://github.com/facebook/ThreatExchange/blob/main/hashing/hashing.pdf and ``pdqhashing.cpp``.
"""

from __future__ import annotations

import functools

import numpy as np

from .results import Dihedral, PdqHash

__all__ = [
    "MIN_DIMENSION",
    "bits_to_digest",
    "box_filter_axis0",
    "dct16",
    "dct_matrix",
    "fast_dct16",
    "fast_pdq_from_bgr",
    "fast_pdq_from_rgb",
    "jarosz_window",
    "luma",
    "pdq_dihedral_from_luma",
    "pdq_from_luma",
    "pdq_from_rgb",
    "quality_of_64x64",
    "resampling_band",
    "resampling_matrix",
]

#: The reference refuses to hash an image with a side shorter than this (hash all zero, quality 0).
MIN_DIMENSION = 5

_LUMA_R = np.float32(0.299)
_LUMA_G = np.float32(0.587)
_LUMA_B = np.float32(0.114)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Float32 luma of an ``(H, W, 3)`` uint8 RGB array, rounded exactly as the reference rounds it."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB array, got {rgb.shape} {rgb.dtype}")
    return _luma(rgb, red=0)


def _luma(image: np.ndarray, red: int) -> np.ndarray:
    """:func:`luma` of RGB (``red=0``) or BGR (``red=2``) pixels: a reversed view would make the copy slow."""
    channels = image.astype(np.float32)
    # ((R * 0.299f) + (G * 0.587f)) + (B * 0.114f), each step rounded to float32, like the C++ expression.
    y = channels[..., red] * _LUMA_R
    y += channels[..., 1] * _LUMA_G
    y += channels[..., 2 - red] * _LUMA_B
    return y


def pdq_from_rgb(rgb: np.ndarray) -> PdqHash:
    """PDQ hash and quality of an ``(H, W, 3)`` uint8 RGB image.

    Raises:
        ValueError: the array is not uint8 RGB.
    """
    return pdq_from_luma(luma(rgb))


def pdq_from_luma(y: np.ndarray) -> PdqHash:
    """PDQ hash and quality of a float32 luma image (values 0..255), as ``pdqHash256FromFloatLuma``."""
    if y.ndim != 2:
        raise ValueError(f"expected a 2-D luma array, got shape {y.shape}")
    (pdq,) = _pdq_of_views([y])
    return pdq


def pdq_dihedral_from_luma(y: np.ndarray) -> dict[Dihedral | None, PdqHash]:
    """PDQ of the luma image and of its seven turned and mirrored copies, each exactly as the reference hashes it.

    Meta's ``computeDihedral`` derives the seven from one DCT by flipping signs, but the decimation does not
    sample symmetrically and the box filter's float32 running sums round differently once the pixels run the
    other way, so those hashes are far from the hash of the turned picture itself (up to 56 bits on 256-pixel
    pictures; ``tests/hashing/test_pdq.py`` measures it). Here each copy is filtered as the reference would
    filter it, the four copies of each shape side by side in one pass over the rows.

    Returns:
        The hash of ``y`` under key ``None``, and of each transformed copy under its :class:`Dihedral`.
    """
    if y.ndim != 2:
        raise ValueError(f"expected a 2-D luma array, got shape {y.shape}")
    y = np.asarray(y, dtype=np.float32)
    hashes: dict[Dihedral | None, PdqHash] = {}
    for swap in (False, True):
        base = y.T if swap else y
        keys = [_DIHEDRAL_BY_AXES[swap, rows, cols] for rows in (False, True) for cols in (False, True)]
        views = [base[:: -1 if rows else 1, :: -1 if cols else 1] for rows in (False, True) for cols in (False, True)]
        hashes.update(zip(keys, _pdq_of_views(views), strict=True))
    return hashes


#: Each turn or mirror as (swap the axes, then reverse the rows, then reverse the columns), as numpy indexes.
_DIHEDRAL_BY_AXES: dict[tuple[bool, bool, bool], Dihedral | None] = {
    (False, False, False): None,
    (False, False, True): Dihedral.FLIP_HORIZONTAL,
    (False, True, False): Dihedral.FLIP_VERTICAL,
    (False, True, True): Dihedral.ROTATE_180,
    (True, False, False): Dihedral.TRANSPOSE,
    (True, True, False): Dihedral.ROTATE_90,
    (True, False, True): Dihedral.ROTATE_270,
    (True, True, True): Dihedral.TRANSVERSE,
}

#: Floats filtered side by side at most: views are batched up to this (64 MB), bigger ones go one by one.
_BATCH_FLOATS = 16 * 1024 * 1024


def _pdq_of_views(views: list[np.ndarray]) -> list[PdqHash]:
    """Exact PDQ of luma images of one shape, filtered together so each numpy call covers them all."""
    rows, cols = views[0].shape
    if rows < MIN_DIMENSION or cols < MIN_DIMENSION:
        return [PdqHash(bytes(32), 0) for _ in views]
    if (rows, cols) == (64, 64):  # the reference hashes a 64x64 image unfiltered
        y64s = [np.asarray(view, dtype=np.float32) for view in views]
    else:
        per_batch = max(1, _BATCH_FLOATS // (rows * cols))
        y64s = [y64 for start in range(0, len(views), per_batch) for y64 in _downsample(views[start : start + per_batch])]
    blocks = dct16(np.stack(y64s))
    return [PdqHash(bits_to_digest(block), quality_of_64x64(y64)) for block, y64 in zip(blocks, y64s, strict=True)]


def _downsample(views: list[np.ndarray]) -> list[np.ndarray]:
    """The reference's Jarosz filter and decimation to 64x64 of each view (all of one shape).

    The reference filters along rows, then along columns, twice (PDQ_NUM_JAROSZ_XY_PASSES). Here every pass
    runs down axis 0 of one C-contiguous array holding all views side by side, transposed between passes;
    the last two passes only compute the 64 decimated columns and rows.
    """
    rows, cols = views[0].shape
    window_along_rows, window_along_cols = jarosz_window(cols), jarosz_window(rows)
    row_index = ((np.arange(64) + 0.5) * rows / 64).astype(np.intp)
    col_index = ((np.arange(64) + 0.5) * cols / 64).astype(np.intp)

    def side_by_side(arrays: list[np.ndarray], window: int, keep: np.ndarray | None = None) -> list[np.ndarray]:
        joined = np.concatenate([np.asarray(a, dtype=np.float32).T for a in arrays], axis=1)
        return np.split(box_filter_axis0(joined, window, keep), len(arrays), axis=1)

    along_rows = side_by_side(views, window_along_rows)  # each (cols, rows)
    along_cols = side_by_side(along_rows, window_along_cols)  # each (rows, cols)
    picked_cols = side_by_side(along_cols, window_along_rows, col_index)  # each (64, rows)
    return [np.ascontiguousarray(y64) for y64 in side_by_side(picked_cols, window_along_cols, row_index)]


def jarosz_window(old_dimension: int) -> int:
    """Width of PDQ's box filter along a side of ``old_dimension`` pixels: about ``old_dimension / 128``."""
    return (old_dimension + 2 * 64 - 1) // (2 * 64)


def box_filter_axis0(values: np.ndarray, window: int, keep: np.ndarray | None = None) -> np.ndarray:
    """The reference's ``box1DFloat`` down every column of ``values`` (float32) at once.

    The C++ adds the entering sample and subtracts the leaving one, rounding to float32 after each step, and
    divides the sum by the number of samples in the window. Doing the same steps here, each one on a whole
    row of independent columns, reproduces every intermediate sum exactly: numpy adds element by element.

    Args:
        values: ``(length, width)`` float32; each column is filtered on its own.
        window: the filter's width (:func:`jarosz_window`).
        keep: the output rows wanted (in any order, repeats allowed); all of them when None.
    """
    if keep is None:
        return _box_filter_rows(values, window, np.arange(values.shape[0]))
    wanted, where = np.unique(keep, return_inverse=True)  # small images repeat a decimated row
    return _box_filter_rows(values, window, wanted)[where]


def _box_filter_rows(values: np.ndarray, window: int, wanted: np.ndarray) -> np.ndarray:
    length, width = values.shape
    out = np.empty((len(wanted), width), dtype=np.float32)
    slot = np.full(length, -1)
    slot[wanted] = np.arange(len(wanted))
    running = np.zeros(width, dtype=np.float32)
    add, subtract, divide = np.add, np.subtract, np.divide
    half = (window + 2) // 2
    size = 0
    for entering in range(half - 1):  # phase 1: the window's leading half, no output yet
        add(running, values[entering], out=running)
        size += 1
    at = 0
    for entering in range(half - 1, window):  # phase 2: the window grows
        add(running, values[entering], out=running)
        size += 1
        if slot[at] >= 0:
            divide(running, np.float32(size), out=out[slot[at]])
        at += 1
    for entering in range(window, length):  # phase 3: the full window slides
        add(running, values[entering], out=running)
        subtract(running, values[entering - window], out=running)
        if slot[at] >= 0:
            divide(running, np.float32(size), out=out[slot[at]])
        at += 1
    for leaving in range(length - window, length - window + half - 1):  # phase 4: the window shrinks
        subtract(running, values[leaving], out=running)
        size -= 1
        if slot[at] >= 0:
            divide(running, np.float32(size), out=out[slot[at]])
        at += 1
    return out


def quality_of_64x64(y64: np.ndarray) -> int:
    """PDQ's image-domain quality (0..100): how much detail the 64x64 image has; below 50 rarely matches."""
    hundred, full = np.float32(100), np.float32(255)
    vertical = ((y64[:-1, :] - y64[1:, :]) * hundred / full).astype(np.int64)
    horizontal = ((y64[:, :-1] - y64[:, 1:]) * hundred / full).astype(np.int64)
    gradient_sum = int(np.abs(vertical).sum() + np.abs(horizontal).sum())
    return min(100, gradient_sum // 90)


@functools.cache
def dct_matrix() -> np.ndarray:
    scale = np.float64(np.float32(np.sqrt(2.0 / 64.0)))
    i = np.arange(1, 17, dtype=np.float64)[:, None]
    j = np.arange(64, dtype=np.float64)[None, :]
    return (scale * np.cos((np.pi / 2 / 64.0) * i * (2 * j + 1))).astype(np.float32)


def dct16(y64: np.ndarray) -> np.ndarray:
    """The 16x16 low-frequency DCT block (DC excluded) of a 64x64 float32 image, summed in the reference's order.

    This float block is also the PDQF frame feature that TMK uses. A stack of images, ``(n, 64, 64)``, gives a
    stack of blocks, each the same as alone: the sums only run over the last two axes.
    """
    d = dct_matrix()
    partial = np.zeros((*y64.shape[:-2], 16, 64), dtype=np.float32)
    for k in range(64):
        partial += d[:, k : k + 1] * y64[..., k : k + 1, :]
    block = np.zeros((*y64.shape[:-2], 16, 16), dtype=np.float32)
    for k in range(64):
        block += partial[..., :, k : k + 1] * d[:, k]
    return block


def fast_dct16(y64: np.ndarray) -> np.ndarray:
    """:func:`dct16` of one 64x64 float32 image as two matrix products: 15 times faster, rounded differently.

    The products run in ``np.einsum``'s own loops (without ``optimize``, einsum never calls BLAS), so the bits
    are the same whichever BLAS NumPy carries and on every CPU: an OpenBLAS picks its kernel and its
    threading per CPU, and those kernels round differently.
    """
    d = dct_matrix()
    return np.einsum("ik,jk->ij", np.einsum("ik,kl->il", d, y64), d)


def fast_pdq_from_rgb(rgb: np.ndarray) -> PdqHash:
    """PDQ of an ``(H, W, 3)`` uint8 RGB image, fast but not bit-exact: for the many frames of a video.

    The exact path emulates every float32 rounding of the reference and costs tens of milliseconds per video
    frame. This one computes the same linear maps (the reference's luma; two Jarosz box passes and the
    decimation folded into one 64-row band of weights per axis, see :func:`resampling_band`; then the DCT)
    without BLAS, so only rounding differs: a hash bit flips only where a DCT coefficient sits within float
    noise of the median. ``tests/hashing/test_pdq.py`` bounds the distance to the exact hash;
    ``benchmarks/bench_video.py`` measures the speed.

    Raises:
        ValueError: the array is not uint8 with three channels.
    """
    return _fast_pdq(rgb, red=0)


def fast_pdq_from_bgr(bgr: np.ndarray) -> PdqHash:
    """As :func:`fast_pdq_from_rgb` for BGR channel order (OpenCV's, which tests and callers may still use)."""
    return _fast_pdq(bgr, red=2)


def _fast_pdq(image: np.ndarray, red: int) -> PdqHash:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 colour array, got {image.shape} {image.dtype}")
    rows, cols = image.shape[:2]
    if rows < MIN_DIMENSION or cols < MIN_DIMENSION:
        return PdqHash(bytes(32), 0)
    across = _resample_axis0(_luma(image, red), resampling_band(rows))  # (64, cols)
    y64 = _resample_axis0(across.T, resampling_band(cols)).T
    return PdqHash(bits_to_digest(fast_dct16(y64)), quality_of_64x64(y64))


def _resample_axis0(values: np.ndarray, band: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``resampling_matrix @ values``, one band position at a time: plain float32 products and sums, no BLAS."""
    columns, weights = band
    out = np.zeros((64, *values.shape[1:]), dtype=np.float32)
    for b in range(weights.shape[1]):
        out += weights[:, b, None] * values[columns[:, b]]
    return out


@functools.lru_cache(maxsize=16)
def resampling_band(length: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`resampling_matrix` as its non-zero band: ``(columns, weights)``, each ``64 x width``.

    Row ``k`` of the matrix is ``weights[k]`` at ``columns[k]`` and zero elsewhere; rows shorter than the widest
    are padded with zero weights (at a valid column). Each row spans about two filter windows (11 of a 720p
    frame's rows), so applying the band is about 65 times less work than the full product, at any size.
    """
    matrix = resampling_matrix(length)
    inside = matrix != 0
    first = inside.argmax(axis=1)
    width = int((length - inside[:, ::-1].argmax(axis=1) - first).max())
    columns = first[:, None] + np.arange(width)
    valid = columns < length
    columns = np.minimum(columns, length - 1)
    weights = np.where(valid, np.take_along_axis(matrix, columns, axis=1), np.float32(0))
    columns.flags.writeable = weights.flags.writeable = False
    return columns, weights


@functools.lru_cache(maxsize=16)
def resampling_matrix(length: int) -> np.ndarray:
    """``64 x length`` float32 matrix equal to two Jarosz box passes along one axis followed by the decimation.

    Built in float64 without ever forming a ``length x length`` matrix: the first pass is applied to the 64
    decimation rows directly, the second by spreading each weight over its window with a difference array.
    """
    window = jarosz_window(length)
    half = (window + 2) // 2
    start = np.arange(length) - (window - half)
    low = np.maximum(start, 0)
    high = np.minimum(start + window - 1, length - 1)  # inclusive
    count = (high - low + 1).astype(np.float64)
    picked = ((np.arange(64) + 0.5) * length / 64).astype(np.intp)
    first = np.zeros((64, length))
    for row, at in enumerate(picked):
        first[row, low[at] : high[at] + 1] = 1.0 / count[at]
    spread = np.zeros((length + 1, 64))
    weights = (first / count[None, :]).T
    np.add.at(spread, low, weights)
    np.add.at(spread, high + 1, -weights)
    # The running sum leaves ~1e-18 residues where a weight should be exactly zero; callers rely on the true
    # (short) support to stay sparse, so count contributions in integers and zero everything outside them.
    covers = (weights > 0).astype(np.int64)
    support = np.zeros((length + 1, 64), dtype=np.int64)
    np.add.at(support, low, covers)
    np.add.at(support, high + 1, -covers)
    inside = np.cumsum(support[:-1], axis=0) > 0
    matrix = np.where(inside, np.cumsum(spread[:-1], axis=0), 0.0)
    return np.ascontiguousarray(matrix.T, dtype=np.float32)


def bits_to_digest(block: np.ndarray) -> bytes:
    values = block.ravel()
    median = np.partition(values, 127)[127]  # Torben's median of 256 values is the lower median
    bits = (values > median).astype(np.uint8)
    # Bit k of the 256-bit hash is bit (k % 16) of word k // 16; the hex prints word 15 first.
    return np.packbits(bits[::-1]).tobytes()
