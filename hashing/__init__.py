"""Fingerprints of photos and videos, computed on this computer: pure functions in, typed results out."""

from .detect import MediaFormat, detect_format, detect_kind
from .errors import (
    Cancelled,
    CorruptMedia,
    EmptyFile,
    FileChanged,
    FileMissing,
    FileUnreadable,
    HashingError,
    HashingErrorCode,
    InvalidTmk,
    NotAFile,
    TooLarge,
    UnsupportedFormat,
)
from .exact import ExactHashes, exact_hashes
from .files import hash_file, iter_media_paths
from .image import hash_image
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
from .pdq import pdq_from_luma, pdq_from_rgb
from .phash import phash
from .results import (
    MATCHABLE_QUALITY,
    Dihedral,
    DihedralPdq,
    FingerprintWarning,
    ImageFingerprints,
    ImagePdq,
    MediaKind,
    Orientation,
    PdqHash,
    VideoFingerprints,
    VpdqFrame,
    WarningCode,
)
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
from .video import DEFAULT_VPDQ_EVERY, hash_video

__all__ = [
    # any file (hashing/files.py, hashing/detect.py)
    "MediaFormat",
    "detect_format",
    "detect_kind",
    "hash_file",
    "iter_media_paths",
    # photos (hashing/image.py, hashing/pdq.py, hashing/phash.py, hashing/exact.py)
    "ExactHashes",
    "exact_hashes",
    "hash_image",
    "pdq_from_luma",
    "pdq_from_rgb",
    "phash",
    # videos (hashing/video.py)
    "DEFAULT_VPDQ_EVERY",
    "hash_video",
    # vPDQ matching (hashing/matching.py)
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
    "TmkAccumulator",
    "TmkAlgorithm",
    "TmkHash",
    "TmkMatch",
    "read_tmk",
    "tmk_match",
    # results (hashing/results.py)
    "MATCHABLE_QUALITY",
    "Dihedral",
    "DihedralPdq",
    "FingerprintWarning",
    "ImageFingerprints",
    "ImagePdq",
    "MediaKind",
    "Orientation",
    "PdqHash",
    "VideoFingerprints",
    "VpdqFrame",
    "WarningCode",
    # errors (hashing/errors.py)
    "Cancelled",
    "CorruptMedia",
    "EmptyFile",
    "FileChanged",
    "FileMissing",
    "FileUnreadable",
    "HashingError",
    "HashingErrorCode",
    "InvalidTmk",
    "NotAFile",
    "TooLarge",
    "UnsupportedFormat",
]
