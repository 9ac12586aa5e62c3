"""Fingerprints of photos and videos, computed on this computer (filled in as the package grows)."""

from .errors import InvalidTmk
from .tmk import (
    DEFAULT_LEVEL1_THRESHOLD,
    DEFAULT_LEVEL2_THRESHOLD,
    TMK_FILE_SIZE,
    TmkAccumulator,
    TmkAlgorithm,
    TmkHash,
    TmkMatch,
    read_tmk,
    tmk_match,
)

__all__ = [
    # TMK+PDQF whole-video fingerprints (hashing/tmk.py)
    "DEFAULT_LEVEL1_THRESHOLD",
    "DEFAULT_LEVEL2_THRESHOLD",
    "TMK_FILE_SIZE",
    "InvalidTmk",
    "TmkAccumulator",
    "TmkAlgorithm",
    "TmkHash",
    "TmkMatch",
    "read_tmk",
    "tmk_match",
]
