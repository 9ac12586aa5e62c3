"""What goes to the intake service and what comes back, as typed frozen dataclasses (protocol.md).

Items hold fingerprints and nothing else: no file name, path, size, duration or EXIF can be put in one. They
check their own shape when built, so a malformed item is a ``ValueError`` at the caller (a bug), and a bundle
read from disk is validated by the same rules. JSON lives in ``_wire.py``, never here.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field

from .keys import normalise_case_key, normalise_case_number

__all__ = [
    "MAX_PDQ_PER_IMAGE",
    "MAX_VPDQ_FRAMES_PER_VIDEO",
    "MAX_VPDQ_FRAME_NUMBER",
    "MAX_VPDQ_TIMESTAMP",
    "TMK_FILE_BYTES",
    "TMK_MAGIC",
    "CaseCredentials",
    "CaseState",
    "CaseStatus",
    "Feedback",
    "FeedbackValue",
    "ImageItem",
    "Item",
    "PdqEntry",
    "Program",
    "VideoItem",
    "VpdqEntry",
]

# The client's one statement of these protocol facts (keys.py and client.py hold the others). intake states them
# for the service; tests/client_api/test_protocol_facts.py keeps both sides, openapi.json and hashing equal.
#: As displayed, and in the seven other orientations (turned or mirrored; the stored view is one of them).
MAX_PDQ_PER_IMAGE = 8
MAX_VPDQ_FRAMES_PER_VIDEO = 20_000  #: protocol limit per video
MAX_VPDQ_FRAME_NUMBER = 100_000_000  #: protocol limit: a frame number past this is no real video's
MAX_VPDQ_TIMESTAMP = 1_000_000_000.0  #: protocol limit, in seconds
#: Meta's TMK+PDQF ``.tmk`` file with its fixed parameters (4 periods, 32 coefficients, 256-float PDQF frames):
#: magic, 5 ints, periods, coefficients, pure average, cosine and sine features. The service takes only these.
TMK_FILE_BYTES = 12 + 5 * 4 + 4 * 4 + 32 * 4 + 256 * 4 + 2 * 4 * 32 * 256 * 4
TMK_MAGIC = b"TMK1FVECPDQF"

_HEX = re.compile(r"[0-9a-f]*")


def _check_hex(name: str, value: object, length: int) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str of lowercase hex, got {type(value).__name__}")
    if len(value) != length or not _HEX.fullmatch(value):
        raise ValueError(f"{name} must be {length} lowercase hex characters")


def _check_quality(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"quality must be an int, got {type(value).__name__}")
    if not 0 <= value <= 100:
        raise ValueError(f"quality must be 0..100, got {value}")


class Program(enum.StrEnum):
    """Which programme the content falls under: made before the person was 18, or as an adult."""

    UNDER_18 = "under18"
    ADULT = "adult"


class CaseState(enum.StrEnum):
    """Whether platforms keep looking for the case's content. The words for people are in ``desktop.messages``."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class FeedbackValue(enum.StrEnum):
    """What a platform reported about one of the case's hashes (StopNCII's CSP feedback values)."""

    UNKNOWN = "Unknown"
    NONE = "None"
    QUALITY_UNKNOWN = "QualityUnknown"
    PENDING_REVIEW = "PendingReview"
    BLOCKED = "Blocked"
    NOT_BLOCKED = "NotBlocked"
    WITHDRAWN = "Withdrawn"
    DELETED = "Deleted"


@dataclass(frozen=True, slots=True)
class PdqEntry:
    """One 256-bit PDQ hash as 64 lowercase hex characters, with its quality (0..100)."""

    hash: str
    quality: int

    def __post_init__(self) -> None:
        _check_hex("a PDQ hash", self.hash, 64)
        _check_quality(self.quality)


@dataclass(frozen=True, slots=True)
class VpdqEntry:
    """One hashed video frame, as in Meta's vPDQ output."""

    frame: int
    timestamp: float
    hash: str
    quality: int

    def __post_init__(self) -> None:
        if isinstance(self.frame, bool) or not isinstance(self.frame, int):
            raise TypeError(f"frame must be an int, got {type(self.frame).__name__}")
        if not 0 <= self.frame <= MAX_VPDQ_FRAME_NUMBER:
            raise ValueError(f"frame must be 0..{MAX_VPDQ_FRAME_NUMBER:,}")  # not the value: it may have 4,000 digits
        if isinstance(self.timestamp, bool) or not isinstance(self.timestamp, (int, float)):
            raise TypeError(f"timestamp must be a number, got {type(self.timestamp).__name__}")
        if not 0.0 <= self.timestamp <= MAX_VPDQ_TIMESTAMP:  # also refuses NaN
            raise ValueError(f"timestamp must be 0..{MAX_VPDQ_TIMESTAMP:,.0f} seconds")
        _check_hex("a vPDQ hash", self.hash, 64)
        _check_quality(self.quality)


def _check_exact(item: ImageItem | VideoItem) -> None:
    _check_hex("md5", item.md5, 32)
    _check_hex("sha256", item.sha256, 64)


@dataclass(frozen=True, slots=True)
class ImageItem:
    """A photo's fingerprints: exact hashes and 1 to 8 distinct PDQ hashes, the displayed view's first."""

    md5: str
    sha256: str
    pdq: tuple[PdqEntry, ...]

    def __post_init__(self) -> None:
        _check_exact(self)
        if not isinstance(self.pdq, tuple) or not all(isinstance(p, PdqEntry) for p in self.pdq):
            raise TypeError("pdq must be a tuple of PdqEntry")
        if not 1 <= len(self.pdq) <= MAX_PDQ_PER_IMAGE:
            raise ValueError(f"an image has 1 to {MAX_PDQ_PER_IMAGE} PDQ hashes, got {len(self.pdq)}")
        if len({p.hash for p in self.pdq}) != len(self.pdq):
            raise ValueError("an image's PDQ hashes must be distinct")


@dataclass(frozen=True, slots=True)
class VideoItem:
    """A video's fingerprints: exact hashes, vPDQ frames, and Meta's TMK+PDQF file bytes when computed."""

    md5: str
    sha256: str
    vpdq: tuple[VpdqEntry, ...]
    tmk: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_exact(self)
        if not isinstance(self.vpdq, tuple) or not all(isinstance(v, VpdqEntry) for v in self.vpdq):
            raise TypeError("vpdq must be a tuple of VpdqEntry")
        if len(self.vpdq) > MAX_VPDQ_FRAMES_PER_VIDEO:
            raise ValueError(f"a video has at most {MAX_VPDQ_FRAMES_PER_VIDEO} vPDQ frames, got {len(self.vpdq)}")
        if self.tmk is not None:
            if not isinstance(self.tmk, bytes):
                raise TypeError(f"tmk must be bytes or None, got {type(self.tmk).__name__}")
            if len(self.tmk) != TMK_FILE_BYTES or not self.tmk.startswith(TMK_MAGIC):
                raise ValueError(f"tmk must be a TMK+PDQF file: {TMK_FILE_BYTES} bytes starting with {TMK_MAGIC!r}")


Item = ImageItem | VideoItem


@dataclass(frozen=True, slots=True)
class CaseCredentials:
    """A case number and its secret key: together they let the person check, extend or withdraw the case.

    Both are stored normalised: the number as ``XXX-XXX-XXXX`` and the key as 26 upper-case characters without
    hyphens (see ``keys.py``). ``repr`` never shows the key, so a stray log line or traceback cannot leak it.
    """

    case_number: str
    case_key: str = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_number", normalise_case_number(self.case_number))
        object.__setattr__(self, "case_key", normalise_case_key(self.case_key))


@dataclass(frozen=True, slots=True)
class Feedback:
    """What platforms reported about the case's content: one value and how many platforms reported it."""

    value: FeedbackValue
    platforms: int


@dataclass(frozen=True, slots=True)
class CaseStatus:
    """The service's view of a case. Dates only, never times: the service keeps nothing finer than a day."""

    case_number: str
    program: Program
    state: CaseState
    created_on: dt.date
    updated_on: dt.date
    item_count: int
    fingerprint_count: int
    feedback: tuple[Feedback, ...] = ()

