"""The service's vocabulary: programmes, case states and the StopNCII signal, status and feedback names."""

from __future__ import annotations

import enum

__all__ = ["DEFAULT_SIGNAL_TYPES", "CaseState", "FeedbackValue", "HashStatus", "Program", "SignalType"]


class Program(enum.Enum):
    """Which programme a case belongs to: content made before 18 (Take It Down) or as an adult (StopNCII)."""

    UNDER_18 = "under18"
    ADULT = "adult"


class CaseState(enum.Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class SignalType(enum.Enum):
    """Names platforms see in ``hashRecords[].signalType``; the first three are the ones StopNCII defines."""

    IMAGE_PDQ = "ImagePDQ"
    VIDEO_MD5 = "VideoMD5"
    VIDEO_TMK = "VideoTMK"
    IMAGE_MD5 = "ImageMD5"
    IMAGE_SHA256 = "ImageSHA256"
    VIDEO_SHA256 = "VideoSHA256"
    VIDEO_VPDQ = "VideoVPDQ"


#: What FetchHashes returns unless the platform asks for more: exactly the types the StopNCII client parses.
DEFAULT_SIGNAL_TYPES = frozenset({SignalType.IMAGE_PDQ, SignalType.VIDEO_MD5, SignalType.VIDEO_TMK})


class HashStatus(enum.Enum):
    """A hash record's aggregate state: active while any of its cases is, withdrawn (delete it) otherwise."""

    ACTIVE = "Active"
    WITHDRAWN = "Withdrawn"


class FeedbackValue(enum.Enum):
    """What a platform reports about a hash (StopNCII's CSP feedback values)."""

    UNKNOWN = "Unknown"
    NONE = "None"
    QUALITY_UNKNOWN = "QualityUnknown"
    PENDING_REVIEW = "PendingReview"
    BLOCKED = "Blocked"
    NOT_BLOCKED = "NotBlocked"
    WITHDRAWN = "Withdrawn"
    DELETED = "Deleted"
