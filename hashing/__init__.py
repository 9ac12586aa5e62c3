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
    NotAFile,
    TooLarge,
    UnsupportedFormat,
)
from .exact import ExactHashes, exact_hashes
from .files import hash_file, iter_media_paths
from .image import hash_image
from .pdq import pdq_from_luma, pdq_from_rgb
from .results import (
    MATCHABLE_QUALITY,
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

__all__ = [
    # any file (hashing/files.py, hashing/detect.py)
    "MediaFormat",
    "detect_format",
    "detect_kind",
    "hash_file",
    "iter_media_paths",
    # photos (hashing/image.py, hashing/pdq.py, hashing/exact.py)
    "ExactHashes",
    "exact_hashes",
    "hash_image",
    "pdq_from_luma",
    "pdq_from_rgb",
    # results (hashing/results.py)
    "MATCHABLE_QUALITY",
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
    "NotAFile",
    "TooLarge",
    "UnsupportedFormat",
]
