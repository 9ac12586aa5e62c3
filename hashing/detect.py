"""What a file is, decided from its first bytes (its "magic"), never from its name.

People's files are often renamed, saved by apps with the wrong extension, or have no extension at all. A
``.jpg`` that really holds a PNG is still a photo; a ``.jpg`` that holds text is not one. Sniffing the content
also picks which decoder may touch the bytes, so a file never reaches a parser it was not meant for.

HEIC, HEIF and AVIF photos are ISO base media files like MP4 and MOV videos; the ``ftyp`` box's brands tell
them apart (ISO/IEC 23008-12 for HEIF, the AV1 Image File Format spec for AVIF).
"""

from __future__ import annotations

import enum
from pathlib import Path

from ._safe_open import checked_open
from .errors import FileUnreadable, UnsupportedFormat
from .results import MediaKind

__all__ = ["HEADER_SIZE", "MediaFormat", "detect_format", "detect_kind", "format_of_header"]

#: How many leading bytes sniffing needs: enough for an ISO ``ftyp`` box with many brands and an Ogg page.
HEADER_SIZE = 4096


class MediaFormat(enum.Enum):
    """A container format Takeback can read; ``pillow`` names the Pillow plugin allowed to open it."""

    JPEG = ("image", ("JPEG", "MPO"))
    PNG = ("image", ("PNG",))
    GIF = ("image", ("GIF",))
    WEBP = ("image", ("WEBP",))
    BMP = ("image", ("BMP",))
    TIFF = ("image", ("TIFF",))
    HEIF = ("image", ("HEIF",))
    AVIF = ("image", ("AVIF",))
    ISO_BMFF = ("video", ())  #: MP4, MOV, M4V, 3GP
    QUICKTIME = ("video", ())  #: old MOV files that start without an ``ftyp`` box
    MATROSKA = ("video", ())  #: MKV and WebM
    AVI = ("video", ())
    FLV = ("video", ())
    MPEG_TS = ("video", ())
    MPEG_PS = ("video", ())
    ASF = ("video", ())  #: WMV
    OGG = ("video", ())

    def __init__(self, kind: str, pillow: tuple[str, ...]) -> None:
        self.kind = MediaKind(kind)
        self.pillow = pillow


# Brands (ISO/IEC 23008-12 and the AVIF spec) that mean "still image or image sequence", not a movie.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1",
                          b"mif2", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_GENERIC_IMAGE_BRANDS = frozenset({b"mif1", b"mif2", b"msf1"})
# Brands a movie lists; a file naming one of these as its major brand is a video even if it also lists mif1.
_MOVIE_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"mp71", b"avc1",
                           b"qt  ", b"M4V ", b"M4VH", b"M4VP", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash",
                           b"f4v ", b"MSNV", b"XAVC", b"mmp4"})
# Top-level atoms an old QuickTime movie may start with instead of ``ftyp``.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_ASF_GUID = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
# DIB header sizes a real BMP uses (BITMAPCOREHEADER .. BITMAPV5HEADER); "BM" alone also starts plain text.
_BMP_INFO_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_OGG_AUDIO_ONLY = (b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   ")
_OGG_VIDEO = (b"\x80theora", b"\x01video", b"OVP80", b"\x80daala")


def format_of_header(head: bytes) -> MediaFormat:
    """The format of a file whose first bytes are ``head`` (pass at least :data:`HEADER_SIZE` when available).

    Raises:
        UnsupportedFormat: the bytes are not a photo or video format Takeback reads.
    """
    found = _sniff(head)
    if found is None:
        raise UnsupportedFormat()
    return found


def detect_format(path: str | Path) -> MediaFormat:
    """Read the start of ``path`` and say which format it is.

    Raises:
        HashingError: the file is missing, unreadable, empty, not a file, or not a format we read.
    """
    with checked_open(path) as (handle, _size):
        try:
            head = handle.read(HEADER_SIZE)
        except OSError as exc:
            raise FileUnreadable() from exc
    return format_of_header(head)


def detect_kind(path: str | Path) -> MediaKind:
    """Whether ``path`` holds a photo (``MediaKind.IMAGE``) or a video (``MediaKind.VIDEO``), by its content.

    Animated GIF, WebP and PNG count as images: they are hashed as a photo plus vPDQ over their frames.

    Raises:
        HashingError: as :func:`detect_format`, ``UnsupportedFormat`` for anything that is not media.
    """
    return detect_format(path).kind


def _sniff(head: bytes) -> MediaFormat | None:
    if head.startswith(b"\xff\xd8\xff"):
        return MediaFormat.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaFormat.PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return MediaFormat.GIF
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": MediaFormat.WEBP, b"AVI ": MediaFormat.AVI, b"AVIX": MediaFormat.AVI}.get(head[8:12])
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return MediaFormat.TIFF
    if head.startswith(b"BM") and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_INFO_SIZES:
        return MediaFormat.BMP
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS and _plausible_atom_size(head):
        return MediaFormat.QUICKTIME
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaFormat.MATROSKA
    if head.startswith(b"FLV\x01"):
        return MediaFormat.FLV
    if head.startswith(_ASF_GUID):
        return MediaFormat.ASF
    if head.startswith(b"OggS"):
        return _ogg(head)
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return MediaFormat.MPEG_PS
    if _is_transport_stream(head):
        return MediaFormat.MPEG_TS
    return None


def _plausible_atom_size(head: bytes) -> bool:
    """0 (to the end of file), 1 (64-bit size follows) or at least the atom's own 8-byte header."""
    size = int.from_bytes(head[:4], "big")
    return size in (0, 1) or size >= 8


def _iso_bmff(head: bytes) -> MediaFormat:
    box_size = int.from_bytes(head[:4], "big")
    end = min(len(head), box_size if box_size >= 16 else 16)
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major in _AVIF_BRANDS:
        return MediaFormat.AVIF
    if major in _GENERIC_IMAGE_BRANDS:  # "some image file": the compatible brands name the codec
        return MediaFormat.AVIF if compatible & _AVIF_BRANDS else MediaFormat.HEIF
    if major in _HEIF_BRANDS:
        return MediaFormat.HEIF
    if major not in _MOVIE_BRANDS and not compatible & _MOVIE_BRANDS:
        if compatible & _AVIF_BRANDS:
            return MediaFormat.AVIF
        if compatible & _HEIF_BRANDS:
            return MediaFormat.HEIF
    return MediaFormat.ISO_BMFF


def _ogg(head: bytes) -> MediaFormat | None:
    # An Ogg file's first pages announce each stream's codec; music (Vorbis, Opus, FLAC) has no picture.
    if any(marker in head for marker in _OGG_VIDEO):
        return MediaFormat.OGG
    if any(marker in head for marker in _OGG_AUDIO_ONLY):
        return None
    return MediaFormat.OGG


def _is_transport_stream(head: bytes) -> bool:
    # 188-byte packets, each starting with the sync byte 0x47 (192-byte packets in Blu-ray .m2ts files).
    for packet, offset in ((188, 0), (192, 4)):
        starts = range(offset, min(len(head), offset + 4 * packet), packet)
        if len(starts) >= 3 and all(head[i] == 0x47 for i in starts):
            return True
    return False
