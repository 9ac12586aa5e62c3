"""The eight orientations of a picture: EXIF's 1..8, the seven turns and mirrors, and how they compose.

EXIF orientation ``n`` says which of Pillow's ``Image.Transpose`` operations turns the stored pixels into the
picture a viewer shows (``ImageOps.exif_transpose``); a :class:`~hashing.results.Dihedral` turns or mirrors
the shown picture. Both are the same eight operations, so each composition is one of them: the tables here are
worked out once, by applying the operations to a small labelled array, rather than typed in by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .results import Dihedral

__all__ = ["dihedral_between", "exif_after", "show"]

_Operation = Callable[[np.ndarray], np.ndarray]

# Pillow's Image.Transpose operations on (rows, columns, ...) arrays, as views.
_FLIP_LEFT_RIGHT: _Operation = lambda a: a[:, ::-1]  # noqa: E731
_FLIP_TOP_BOTTOM: _Operation = lambda a: a[::-1]  # noqa: E731
_ROTATE_90: _Operation = lambda a: np.rot90(a, 1)  # noqa: E731 - both turn anticlockwise
_ROTATE_180: _Operation = lambda a: a[::-1, ::-1]  # noqa: E731
_ROTATE_270: _Operation = lambda a: np.rot90(a, 3)  # noqa: E731
_TRANSPOSE: _Operation = lambda a: a.swapaxes(0, 1)  # noqa: E731
_TRANSVERSE: _Operation = lambda a: a[::-1, ::-1].swapaxes(0, 1)  # noqa: E731

#: The operation that shows the stored pixels of a photo with each EXIF orientation (as exif_transpose).
_EXIF: dict[int, _Operation] = {
    1: lambda a: a,
    2: _FLIP_LEFT_RIGHT,
    3: _ROTATE_180,
    4: _FLIP_TOP_BOTTOM,
    5: _TRANSPOSE,
    6: _ROTATE_270,
    7: _TRANSVERSE,
    8: _ROTATE_90,
}

_DIHEDRAL: dict[Dihedral | None, _Operation] = {
    None: lambda a: a,
    Dihedral.ROTATE_90: _ROTATE_90,
    Dihedral.ROTATE_180: _ROTATE_180,
    Dihedral.ROTATE_270: _ROTATE_270,
    Dihedral.FLIP_HORIZONTAL: _FLIP_LEFT_RIGHT,
    Dihedral.FLIP_VERTICAL: _FLIP_TOP_BOTTOM,
    Dihedral.TRANSPOSE: _TRANSPOSE,
    Dihedral.TRANSVERSE: _TRANSVERSE,
}


def show(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """The stored ``pixels`` as a viewer shows them with EXIF ``orientation`` (a view, not a copy)."""
    return _EXIF[orientation](pixels)


@functools.cache
def exif_after(orientation: int, transform: Dihedral | None) -> int:
    """The EXIF orientation that shows the stored pixels as the ``orientation``-shown picture turned by ``transform``."""
    wanted = _DIHEDRAL[transform](_EXIF[orientation](_LABELS))
    return next(n for n, operation in _EXIF.items() if _same(operation(_LABELS), wanted))


@functools.cache
def dihedral_between(shown: int, target: int) -> Dihedral | None:
    """The turn that makes the picture shown with EXIF orientation ``shown`` into the one shown with ``target``."""
    start, wanted = _EXIF[shown](_LABELS), _EXIF[target](_LABELS)
    return next(key for key, operation in _DIHEDRAL.items() if _same(operation(start), wanted))


_LABELS = np.arange(6).reshape(2, 3)  # not square, so a turn and a mirror never look alike


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool((a == b).all())
