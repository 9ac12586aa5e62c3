"""pHash in NumPy: the same 64 bits as ``imagehash.phash``, without SciPy (and SciPy's own OpenBLAS) in the app.

Spec: imagehash's ``phash`` (after hackerfactor.com's "Looks Like It"): greyscale, Lanczos-resize to 32x32,
unnormalised DCT-II along both axes (``scipy.fftpack.dct``), keep the 8x8 lowest frequencies, and set a bit
where a coefficient is above their median, row by row, most significant bit first.

Why it gives the same bits: the DCT here is the textbook sum ``2 * sum x[n] cos(pi k (2n+1) / 2N)`` in float64,
where SciPy runs pocketfft's FFT-based DCT; the two agree to about 1e-12 of the largest coefficient, and a bit
flips only where a coefficient sits that close to the median. That happens only on images whose coefficients
tie exactly (a flat picture, or one mirror-symmetric after the resize): their exact-arithmetic values are
equal, so imagehash's bits there come from pocketfft's rounding, carry no information about the picture, and
no other code reproduces them. ``tests/hashing/test_phash.py`` checks both statements against imagehash on
many pictures and sizes. The sums use ``np.einsum`` rather than BLAS so the bits do not depend on which CPU
kernel a BLAS picks.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["PHASH_SIDE", "phash", "phash_coefficients"]

#: imagehash's defaults: ``hash_size=8`` bits a side, ``highfreq_factor=4``.
_HASH_SIDE = 8
PHASH_SIDE = _HASH_SIDE * 4  #: the resized picture's side

_k = np.arange(_HASH_SIDE, dtype=np.float64)[:, None]
_n = np.arange(PHASH_SIDE, dtype=np.float64)[None, :]
#: Rows 0..7 of the unnormalised DCT-II matrix (``scipy.fftpack.dct``'s default: a factor 2, no scaling).
_DCT_LOW = 2.0 * np.cos(np.pi * _k * (2.0 * _n + 1.0) / (2.0 * PHASH_SIDE))
del _k, _n
#: Below this fraction of the largest possible coefficient a value is rounding noise of an exact zero.
_ZERO = 1e-12


def phash_coefficients(image: Image.Image) -> np.ndarray:
    """The 8x8 lowest DCT frequencies of the picture's 32x32 greyscale copy (float64), before thresholding."""
    small = image.convert("L").resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    columns = _exact_zeros(np.einsum("kn,nm->km", _DCT_LOW, pixels))  # along axis 0, as scipy's first dct
    return _exact_zeros(np.einsum("km,lm->kl", columns, _DCT_LOW))  # then along axis 1


def _exact_zeros(coefficients: np.ndarray) -> np.ndarray:
    """Coefficients that are zero in exact arithmetic (a constant row, say) made exactly zero, as pocketfft's
    come out: the sums leave about 1e-13 there, which would otherwise decide bits against a median of 0."""
    scale = 2.0 * PHASH_SIDE * 255.0 * max(1.0, float(np.abs(coefficients).max()) / (2.0 * PHASH_SIDE * 255.0))
    return np.where(np.abs(coefficients) < _ZERO * scale, 0.0, coefficients)


def phash(image: Image.Image) -> str:
    """pHash of a Pillow image as 16 hex digits, exactly as ``str(imagehash.phash(image))`` prints it.

    Args:
        image: any Pillow image; it is converted to greyscale (Pillow's ``convert("L")``) like imagehash does.

    Returns:
        64 bits, row-major, most significant first, as lower-case hex.
    """
    low = phash_coefficients(image)
    bits = (low > np.median(low)).ravel()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:016x}"
