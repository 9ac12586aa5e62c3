"""Fingerprints of photos and videos, computed on this computer (filled in as the package grows)."""

from .matching import (
    VPDQ_COMPARED_MATCH_PERCENT,
    VPDQ_DISTANCE_THRESHOLD,
    VPDQ_QUALITY_THRESHOLD,
    VPDQ_QUERY_MATCH_PERCENT,
    VpdqConvention,
    VpdqMatch,
    distance_matrix,
    format_vpdq_text,
    hamming_distance,
    match_vpdq,
    parse_vpdq_text,
)
from .video import DEFAULT_VPDQ_EVERY, hash_video

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
    # video (hashing/video.py)
    "DEFAULT_VPDQ_EVERY",
    "hash_video",
    # matching (hashing/matching.py)
    "VPDQ_COMPARED_MATCH_PERCENT",
    "VPDQ_DISTANCE_THRESHOLD",
    "VPDQ_QUALITY_THRESHOLD",
    "VPDQ_QUERY_MATCH_PERCENT",
    "VpdqConvention",
    "VpdqMatch",
    "distance_matrix",
    "format_vpdq_text",
    "hamming_distance",
    "match_vpdq",
    "parse_vpdq_text",
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
