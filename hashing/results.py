"""Typed fingerprints: what hashing a photo or video produces, and nothing that could identify the person.

Results carry no path, file name, size, EXIF or pixels, so they can be handed to ``client_api`` as they are.
Hashes are stored as bytes and shown as lowercase hex, the form Meta's tools and hash lists use.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tmk import TmkHash

__all__ = [
    "MATCHABLE_QUALITY",
    "FingerprintWarning",
    "ImageFingerprints",
    "Dihedral",
    "DihedralPdq",
    "ImagePdq",
    "MediaKind",
    "Orientation",
    "PdqHash",
    "VideoFingerprints",
    "VpdqFrame",
    "WarningCode",
]

#: Meta recommends discarding PDQ hashes of quality 49 or less: they match too many unrelated images.
MATCHABLE_QUALITY = 50


class MediaKind(enum.Enum):
    IMAGE = "image"
    VIDEO = "video"


class Orientation(enum.Enum):
    """Which pixels a photo's PDQ was computed on."""

    DISPLAY = "display"  #: as a viewer shows it, EXIF orientation applied (what is usually shared)
    STORED = "stored"  #: the pixels as stored in the file, for copies whose orientation tag was stripped


class Dihedral(enum.Enum):
    """A way to turn or mirror a picture, named as Pillow's ``Image.Transpose`` operations (and Meta's dihedral
    hashes). Abusers turn or mirror a picture to slip past matching; platforms hash such a copy as it is."""

    ROTATE_90 = "rotate90"  #: a quarter turn anticlockwise
    ROTATE_180 = "rotate180"  #: a half turn
    ROTATE_270 = "rotate270"  #: a quarter turn clockwise
    FLIP_HORIZONTAL = "flip_horizontal"  #: mirrored left to right
    FLIP_VERTICAL = "flip_vertical"  #: mirrored top to bottom
    TRANSPOSE = "transpose"  #: mirrored across the diagonal from the top left corner
    TRANSVERSE = "transverse"  #: mirrored across the diagonal from the top right corner


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A 256-bit PDQ hash and its quality (0..100)."""

    digest: bytes
    quality: int

    def __post_init__(self) -> None:
        if len(self.digest) != 32:
            raise ValueError(f"a PDQ hash has 32 bytes, got {len(self.digest)}")
        if not 0 <= self.quality <= 100:
            raise ValueError(f"PDQ quality is 0..100, got {self.quality}")

    @classmethod
    def from_hex(cls, value: str, quality: int = 100) -> PdqHash:
        if len(value) != 64:
            raise ValueError(f"a PDQ hash is 64 hex characters, got {len(value)}")
        return cls(bytes.fromhex(value), quality)

    @property
    def hex(self) -> str:
        return self.digest.hex()

    @property
    def matchable(self) -> bool:
        return self.quality >= MATCHABLE_QUALITY

    def distance(self, other: PdqHash) -> int:
        """Hamming distance: how many of the 256 bits differ."""
        return (int.from_bytes(self.digest, "big") ^ int.from_bytes(other.digest, "big")).bit_count()


@dataclass(frozen=True, slots=True)
class ImagePdq:
    hash: PdqHash
    orientation: Orientation


@dataclass(frozen=True, slots=True)
class DihedralPdq:
    """PDQ of the displayed picture turned or mirrored by ``transform``: what a platform computes on such a copy."""

    transform: Dihedral
    hash: PdqHash


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    """One hashed frame of a video (or animated image), as in Meta's vPDQ output."""

    frame: int
    timestamp: float
    hash: PdqHash

    @property
    def quality(self) -> int:
        return self.hash.quality


class WarningCode(enum.Enum):
    LOW_QUALITY = "low_quality"  #: PDQ quality below 50: platforms may not be able to match it
    NO_FRAMES = "no_frames"  #: a video whose frames could not be fingerprinted; exact hashes still work
    PARTLY_DAMAGED = "partly_damaged"  #: decoding stopped early; what was read is fingerprinted


@dataclass(frozen=True, slots=True)
class FingerprintWarning:
    """Something the person should know about a file that was fingerprinted anyway."""

    code: WarningCode
    message: str


@dataclass(frozen=True, slots=True)
class ImageFingerprints:
    """Everything Takeback computes for one photo (or the first frame, and all frames, of an animation)."""

    md5: str
    sha256: str
    pdq: tuple[ImagePdq, ...]
    phash: str
    vpdq: tuple[VpdqFrame, ...] = ()
    warnings: tuple[FingerprintWarning, ...] = ()
    #: PDQ of the displayed picture in the seven other orientations, in :class:`Dihedral` order.
    dihedral: tuple[DihedralPdq, ...] = ()
    kind: MediaKind = field(default=MediaKind.IMAGE, init=False)


@dataclass(frozen=True, slots=True)
class VideoFingerprints:
    """Everything Takeback computes for one video, from a single decoding pass."""

    md5: str
    sha256: str
    duration_s: float
    frame_count: int
    vpdq: tuple[VpdqFrame, ...]
    tmk: TmkHash | None = None
    warnings: tuple[FingerprintWarning, ...] = ()
    kind: MediaKind = field(default=MediaKind.VIDEO, init=False)
