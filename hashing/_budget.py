"""Decoding budgets: how much memory, pixels and time one file may cost before it is refused as too large.

A file's size says little about what decoding it costs. A 2 KB GIF can ask for a hundred frames on a
10,000 x 10,000 canvas (10 gigapixels of work), a 688 KB PNG for 707 MB of pixels, a JPEG for half a gigabyte of
"metadata" that Pillow copies before reading a single pixel, and a video's header can claim 320 x 240 while its
frames are 16,000 x 16,000. Each such file must fail on its own, quickly, with ``TooLarge`` and a message the
person can act on, while every photo and video people really have still passes. So the checks here look at what
the file says *and* at what decoding actually costs, before the expensive step wherever that is possible:

* photos: the bytes held, the metadata, and the memory the decode will take, estimated from the header
  (mode, size, JPEG scaling and progressive buffers), must fit :data:`PHOTO_MEMORY_BYTES`;
* animations: frames times canvas must fit :data:`ANIMATION_PIXELS`, checked before the first frame is decoded;
* videos: a stream whose headers give a picture larger than ``video.MAX_FRAME_PIXELS`` is refused before any
  frame is decoded, and the decoder itself refuses a larger picture in a stream whose headers understate it
  (FFmpeg's ``max_pixels``: a 320 x 240 header followed by 16,000 x 16,000 frames costs 24 MB, not the 300 MB
  of decoding one). Decoding may take at most :data:`VIDEO_GRACE_S` plus the time a slow decoder needs for the
  pixels the frames have, for whatever else makes a decoder slow;
* animations, again: a wall-clock limit (:data:`PHOTO_SECONDS`), checked between frames.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import TooLarge

if TYPE_CHECKING:
    from PIL import Image

    from .detect import MediaFormat

__all__ = [
    "ANIMATION_PIXELS",
    "MAX_METADATA_BYTES",
    "MAX_PHOTO_BYTES",
    "PHOTO_MEMORY_BYTES",
    "PHOTO_SECONDS",
    "VIDEO_GRACE_S",
    "VIDEO_MIN_PIXELS_PER_S",
    "PhotoDeadline",
    "VideoDecodeBudget",
    "check_budget",
    "check_jpeg_metadata",
]

#: Photo files are read whole into memory. The largest phone and camera JPEGs (108 megapixels) are 20-40 MB.
MAX_PHOTO_BYTES = 200 * 1024 * 1024
#: EXIF, ICC profiles, XMP and comments together; real photos carry kilobytes, a few megabytes at most.
MAX_METADATA_BYTES = 16 * 1024 * 1024
#: What fingerprinting one photo may add to the app's memory (the file, its metadata and the decode). The
#: issue's limit is 600 MB; the rest is headroom for Python objects and the small arrays PDQ works on.
PHOTO_MEMORY_BYTES = 520 * 1000 * 1000
#: Frames times canvas of one animation: 480 frames of 1080p or 1,000 of 720p (about 20 s of work here).
ANIMATION_PIXELS = 1_000_000_000
#: No photo or animation within the budgets above takes a tenth of this on an ordinary computer.
PHOTO_SECONDS = 60.0
#: Videos: decoding may take this long whatever the stream claims...
VIDEO_GRACE_S = 3.0
#: ...plus the time a decoder running at this rate needs for the pixels the stream says it has. Real decoders
#: manage 50-500 megapixels a second even on old laptops; a stream far slower than this is larger than it says.
VIDEO_MIN_PIXELS_PER_S = 2_000_000

_METADATA_MESSAGE = (
    "This photo carries far more hidden extra information (metadata) than photos normally do, so Takeback did not "
    "open it. Open it in a photo app and save or export a copy, then add that copy."
)
_ANIMATION_MESSAGE = (
    "This animation has too many or too large frames for Takeback to read safely. Save a shorter or smaller "
    "copy (or one still picture from it) and add that."
)
_VIDEO_MESSAGE = (
    "This video takes far more work to read than it says it should, so Takeback stopped before it slowed your "
    "computer down. It may be damaged. If it plays for you, export a copy (for example as MP4) and add that."
)
_SLOW_MESSAGE = (
    "This picture takes too long to read, so Takeback stopped before it slowed your computer down. Save a smaller "
    "copy (for example with a phone's share or resize option) and add that."
)

# Measured peaks exceed the pixel buffers by up to a fifth (decoder state, allocator slack, PDQ's arrays).
_DECODER_OVERHEAD = 1.25
# Bytes per pixel Pillow keeps for each mode; every mode not listed uses 4.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# JPEG segments that carry metadata rather than the picture: APP0..APP15 and comments.
_JPEG_METADATA_MARKERS = frozenset(range(0xE0, 0xF0)) | {0xFE}
_JPEG_START_OF_SCAN = 0xDA


def check_jpeg_metadata(data: bytes | memoryview) -> None:
    """Refuse a JPEG whose metadata segments add up to more than :data:`MAX_METADATA_BYTES`.

    Run before Pillow opens the file: Pillow copies every APP segment into memory while opening. Only the
    segment lengths before the first scan are walked, so this costs microseconds per segment.
    """
    total = 0
    offset = 2
    end = len(data)
    while offset + 4 <= end:
        if data[offset] != 0xFF:
            return  # not a marker: damaged, and Pillow will say so
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        if marker == _JPEG_START_OF_SCAN or 0xD0 <= marker <= 0xD9 or marker == 0x01:
            return
        (length,) = struct.unpack_from(">H", data, offset + 2)
        if marker in _JPEG_METADATA_MARKERS:
            total += length
            if total > MAX_METADATA_BYTES:
                raise TooLarge(_METADATA_MESSAGE)
        offset += 2 + length


def check_budget(image: Image.Image, media_format: MediaFormat, file_bytes: int, max_frames: int) -> None:
    """Refuse a photo or animation that would cost more than its budgets, before any pixel is decoded.

    Args:
        image: opened, not yet loaded: mode, size and frame count come from its headers.
        file_bytes: the file, held in memory while it is decoded.
        max_frames: the most frames of an animation that are decoded.

    Raises:
        TooLarge: too much metadata, too much memory for the decode, or too many pixels in all frames.
    """
    from ._pillow import decoding
    from ._reduced_pdq import block_size_for

    # Reading headers can fail on a damaged file as decoding can (counting a GIF's frames walks all of them).
    with decoding():
        metadata = _metadata_bytes(image)
        if metadata > MAX_METADATA_BYTES:
            raise TooLarge(_METADATA_MESSAGE)
        animated = getattr(image, "is_animated", False)
        decode = _decode_bytes(image, media_format, block_size_for(*image.size))
        if file_bytes + metadata + _DECODER_OVERHEAD * decode > PHOTO_MEMORY_BYTES:
            raise TooLarge(_ANIMATION_MESSAGE if animated else None)
        frames = min(image.n_frames, max_frames) if animated else 1
    width, height = image.size
    if frames * width * height > ANIMATION_PIXELS:
        raise TooLarge(_ANIMATION_MESSAGE)


def _decode_bytes(image: Image.Image, media_format: MediaFormat, block: int) -> int:
    """Peak bytes of the decode path in ``image.py`` (measured on each kind of file by ``tests/hashing``)."""
    from .detect import MediaFormat

    width, height = image.size
    if media_format is MediaFormat.JPEG:
        reduced = -(-width // block) * -(-height // block)
        # A progressive JPEG keeps every DCT coefficient of the whole picture (2 bytes a sample) until its last
        # scan, whatever the output scale; a baseline one streams.
        coefficients = 2 * _jpeg_samples(image) if image.info.get("progressive") else 0
        return coefficients + reduced * 4 * 2  # the reduced decode and its RGB conversion
    if getattr(image, "is_animated", False):
        # Frames after the first are kept as RGBA, beside the previous frame (for disposal) and the RGB copy.
        per_pixel = 12
    else:
        per_pixel = _BYTES_PER_PIXEL.get(image.mode, 4) + (0 if image.mode == "RGB" else 4)  # + convert("RGB")
    if media_format in (MediaFormat.HEIF, MediaFormat.AVIF):
        per_pixel += 4  # libheif decodes into its own buffer, which Pillow then copies
    return width * height * per_pixel


def _jpeg_samples(image: Image.Image) -> int:
    """Samples of all components at their own subsampled sizes (from the frame header Pillow parsed)."""
    width, height = image.size
    layers: Iterable[tuple[str, int, int, int]] = getattr(image, "layer", ()) or ()
    sampling = [(h, v) for _, h, v, _ in layers] or [(1, 1)] * len(image.getbands())
    h_max = max(h for h, _ in sampling)
    v_max = max(v for _, v in sampling)
    return sum(-(-width * h // h_max) * -(-height * v // v_max) for h, v in sampling)


def _metadata_bytes(image: Image.Image) -> int:
    """EXIF, ICC, XMP, comments... as Pillow holds them after opening (JPEG segments may be counted twice)."""
    segments = sum(len(data) for _, data in getattr(image, "applist", None) or ())
    return segments + sum(len(value) for value in image.info.values() if isinstance(value, bytes | str))


class PhotoDeadline:
    """The wall-clock limit for one photo or animation, checked between decoding steps."""

    def __init__(self) -> None:
        self._deadline = time.monotonic() + PHOTO_SECONDS

    def check(self) -> None:
        if time.monotonic() > self._deadline:
            raise TooLarge(_SLOW_MESSAGE)


class VideoDecodeBudget:
    """Time spent decoding a video, against what the pixels its stream declares should cost.

    Call :meth:`spend` after each decoded frame with the seconds the decoder took and the frame's reported size.
    """

    def __init__(self) -> None:
        self._seconds = 0.0
        self._declared_pixels = 0

    def spend(self, seconds: float, pixels: int) -> None:
        self._seconds += seconds
        self._declared_pixels += pixels
        if self._seconds > VIDEO_GRACE_S + self._declared_pixels / VIDEO_MIN_PIXELS_PER_S:
            raise TooLarge(_VIDEO_MESSAGE)
