"""Fingerprints of one photo: MD5/SHA-256 of its bytes, PDQ as shown and as stored, pHash, and vPDQ of animations.

Compatibility is the point: platforms compute PDQ with Meta's C++ code on Pillow's RGB decode of their copy,
EXIF orientation applied. Takeback reads the file once into memory and hashes the bytes. It decodes every
picture in full, as the reference does, and computes PDQ bit for bit as the C++ does (``pdq.py``), except a
JPEG large enough that libjpeg's DCT-domain 1/2, 1/4 or 1/8 decoding keeps each block within a third of
PDQ's filter window: that reduced copy goes through the reference filter evaluated on block means
(``_reduced_pdq.py``), within 2 bits of the reference at a fraction of the time. Besides the displayed view
(and the stored one when an EXIF orientation turns it), the picture is hashed in the seven other
orientations a mirrored or turned copy would have. Colour handling follows Pillow's ``convert("RGB")`` like
the reference: palettes are expanded, alpha is dropped (not composited), CMYK/LAB/HSV/16-bit modes use
Pillow's own conversions.

Specs: PDQ (facebook/ThreatExchange ``hashing/hashing.pdf``), vPDQ (``vpdq/README.md``: one PDQ per frame with
frame number and timestamp), pHash as ``imagehash.phash`` (DCT of a 32x32 greyscale copy; ``phash.py``).
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image

from ._budget import MAX_PHOTO_BYTES, PhotoDeadline, check_budget, check_jpeg_metadata
from ._safe_open import checked_open
from ._orientation import dihedral_between, exif_after, show
from ._pillow import check_size, decoding, open_image, quiet_pillow
from ._reduced_pdq import block_size_for, pdq_from_block_means, pdq_views_from_block_means
from .phash import phash as phash_hex
from .detect import HEADER_SIZE, MediaFormat, format_of_header
from .errors import Cancelled, FileChanged, FileUnreadable, TooLarge, UnsupportedFormat
from .exact import CHUNK_SIZE
from .pdq import luma, pdq_dihedral_from_luma, pdq_from_luma
from .results import (
    Dihedral,
    DihedralPdq,
    FingerprintWarning,
    ImageFingerprints,
    ImagePdq,
    MediaKind,
    Orientation,
    PdqHash,
    VpdqFrame,
    WarningCode,
)

__all__ = ["MAX_ANIMATION_FRAMES", "MAX_ANIMATION_VPDQ_FRAMES", "MAX_IMAGE_BYTES", "hash_image"]

#: Photo files are read whole into memory (once, for both the exact hashes and decoding). No real photo
#: comes near this; a bigger "image" file is refused as too large rather than risk the computer's memory.
MAX_IMAGE_BYTES = MAX_PHOTO_BYTES  # with the other decoding budgets in _budget.py

#: An animation's frames are decoded one after another (GIF and APNG frames build on the previous one);
#: frames past this many (minutes of animation) are not read.
MAX_ANIMATION_FRAMES = 10_000

#: At most this many of an animation's frames get a vPDQ hash; longer ones are sampled evenly across their length.
MAX_ANIMATION_VPDQ_FRAMES = 600

#: Pictures with more pixels than this (and no JPEG scaling) are averaged over blocks before hashing rather
#: than hashed exactly: the exact filter's float32 working copies would take gigabytes.
MAX_EXACT_PIXELS = 50_000_000

_ANIMATED_FORMATS = frozenset({MediaFormat.GIF, MediaFormat.WEBP, MediaFormat.PNG, MediaFormat.AVIF})
_INVERSE_ORIENTATION = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_LOW_QUALITY_MESSAGE = (
    "This picture has very little detail (it may be very dark, blurred or mostly one colour), so platforms "
    "may not be able to recognise copies of it from its fingerprint."
)
_VIDEO_MESSAGE = "This is a video, not a photo. Add it as a video instead."


def hash_image(
    path: str | Path,
    *,
    dihedral: bool = True,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImageFingerprints:
    """Fingerprint the photo (or animated GIF/WebP/PNG/AVIF) at ``path``.

    Args:
        path: the file; its format is decided from its content, whatever its name says.
        dihedral: also hash the displayed picture turned and mirrored (``ImageFingerprints.dihedral``).
        cancel: set it to stop early; the call then raises ``Cancelled``.
        progress: called with the fraction done (0..1) while reading and, for animations, per frame.

    Returns:
        MD5 and SHA-256 of the bytes; PDQ as displayed (EXIF orientation applied) and, when the photo has an
        orientation tag other than 1, also of the stored pixels; PDQ of the displayed picture in the seven
        other orientations (unless ``dihedral`` is false); pHash; vPDQ over the frames of an animation; a
        ``LOW_QUALITY`` warning when the displayed PDQ has quality below 50.

    Raises:
        HashingError: the file is missing, unreadable, empty, changed while read, not a photo, damaged, or
            too large to decode safely. The message is meant for the person.
    """
    data, media_format = _read_whole(path, cancel, progress)
    _check_cancel(cancel)
    exact = _ExactHashing(data)
    try:
        if media_format is MediaFormat.JPEG:
            check_jpeg_metadata(data)  # before Pillow copies every metadata segment
        image = open_image(io.BytesIO(data), media_format.pillow)
        with image:
            check_budget(image, media_format, len(data), MAX_ANIMATION_FRAMES)
            picture = _decode(image, media_format, cancel, progress)
    finally:
        md5, sha256 = exact.result()  # never leave the thread behind, even when decoding failed
    _check_cancel(cancel)
    views = _views(picture, dihedral)
    display = views[None]
    pdq = [ImagePdq(display, Orientation.DISPLAY)]
    if picture.stored is not None:
        pdq.append(ImagePdq(views[dihedral_between(picture.display, picture.stored)], Orientation.STORED))
    turned = tuple(DihedralPdq(transform, views[transform]) for transform in Dihedral) if dihedral else ()
    warnings = (FingerprintWarning(WarningCode.LOW_QUALITY, _LOW_QUALITY_MESSAGE),) if not display.matchable else ()
    if progress is not None:
        progress(1.0)
    return ImageFingerprints(
        md5=md5,
        sha256=sha256,
        pdq=tuple(pdq),
        phash=picture.phash,
        vpdq=picture.frames,
        warnings=warnings,
        dihedral=turned,
    )


def _views(picture: _Decoded, dihedral: bool) -> dict[Dihedral | None, PdqHash]:
    """PDQ of the displayed picture (key None), of the stored pixels, and of every turn when ``dihedral``."""
    wanted: set[Dihedral | None] = set(Dihedral) if dihedral else set()
    wanted.add(None)
    if picture.stored is not None:
        wanted.add(dihedral_between(picture.display, picture.stored))
    if picture.exact:
        shown = show(picture.luma, picture.display)
        if len(wanted) > 2:
            return pdq_dihedral_from_luma(shown)
        return {key: pdq_from_luma(_turn(shown, key)) for key in wanted}
    keys = list(wanted)
    orientations = tuple(exif_after(picture.display, key) for key in keys)
    views = pdq_views_from_block_means(picture.luma, picture.full_shape, picture.block, orientations)
    return {key: views[orientation] for key, orientation in zip(keys, orientations, strict=True)}


def _turn(shown: np.ndarray, transform: Dihedral | None) -> np.ndarray:
    return shown if transform is None else show(shown, exif_after(1, transform))


@dataclass(frozen=True, slots=True)
class _Decoded:
    """The first (or only) frame's luma, in full or as block means, plus what is needed to hash its views."""

    luma: np.ndarray  #: luma means of ``block x block`` cells (block 1: the luma), as the decoder produced them
    full_shape: tuple[int, int]  #: (rows, columns) of the full-resolution decoded frame
    block: int
    exact: bool  #: ``luma`` is the full-resolution float32 luma the reference computes: hash it exactly
    display: int  #: EXIF orientation that turns the decoded pixels into what a viewer shows
    stored: int | None  #: orientation that turns them back into the stored pixels; None when they are the same
    phash: str  #: of the displayed first frame
    frames: tuple[VpdqFrame, ...]  #: vPDQ of an animation's frames, else empty


def _read_whole(
    path: str | Path, cancel: threading.Event | None, progress: Callable[[float], None] | None
) -> tuple[bytes, MediaFormat]:
    """Read the whole file once, and make sure it is a picture and did not change size meanwhile."""
    chunks: list[bytes] = []
    read = 0
    media_format: MediaFormat | None = None
    with checked_open(path) as (handle, size):
        try:
            while chunk := handle.read(CHUNK_SIZE):
                _check_cancel(cancel)
                if media_format is None:  # decide from the first bytes, before reading a big file that is no photo
                    media_format = format_of_header(chunk[:HEADER_SIZE])
                    if media_format.kind is not MediaKind.IMAGE:
                        raise UnsupportedFormat(_VIDEO_MESSAGE)
                    if size > MAX_IMAGE_BYTES:
                        raise TooLarge()
                chunks.append(chunk)
                read += len(chunk)
                if read > size:
                    break
                if progress is not None:
                    progress(0.2 * read / size)
        except OSError as exc:
            raise FileUnreadable() from exc
    if read != size or media_format is None:  # truncated, replaced or still being written while we read it
        raise FileChanged()
    return b"".join(chunks), media_format


class _ExactHashing:
    """MD5 and SHA-256 of bytes already in memory, on a helper thread while the main one decodes.

    hashlib releases the GIL on large inputs and so does Pillow's decoder, so on a multi-core computer the
    exact hashes cost no extra wall time.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._digests: tuple[str, str] | None = None
        self._thread = threading.Thread(target=self._run, name="exact-hashes", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        view = memoryview(self._data)
        self._digests = (hashlib.md5(view, usedforsecurity=False).hexdigest(), hashlib.sha256(view).hexdigest())

    def result(self) -> tuple[str, str]:
        self._thread.join()
        assert self._digests is not None  # the thread only ends after setting it
        return self._digests


def _decode(
    image: Image.Image,
    media_format: MediaFormat,
    cancel: threading.Event | None,
    progress: Callable[[float], None] | None,
) -> _Decoded:
    before = None if media_format is MediaFormat.PNG else _exif_orientation(image)  # PNG may keep EXIF at the end
    width, height = image.size
    animated = media_format in _ANIMATED_FORMATS and getattr(image, "is_animated", False)
    reduced, block = None, 1
    if media_format is MediaFormat.JPEG and block_size_for(width, height) > 1:
        reduced, block = _jpeg_in_dct_domain(image, block_size_for(width, height))
    if reduced is None:
        with decoding():
            image.load()
        width, height = image.size  # some decoders settle the size only when loading
    after = _exif_orientation(image)
    orientation = after if before is None else before
    if orientation != 1 and after != orientation:
        # The decoder already turned the pixels upright (Pillow does this for TIFF) and dropped the tag.
        display, stored = 1, _INVERSE_ORIENTATION[orientation]
    else:
        display, stored = orientation, (1 if orientation != 1 else None)
    exact = reduced is None and width * height <= MAX_EXACT_PIXELS
    if reduced is None:
        block = 1 if exact else block_size_for(width, height)
        reduced = _reduced_rgb(image, block)
    # Take what the first frame gives before an animation moves the image on to later frames.
    values, phash = _luma_of(reduced), _phash(reduced, display)
    frames = _animation_vpdq(image, display, cancel, progress) if animated else ()
    return _Decoded(
        luma=values,
        full_shape=(height, width),
        block=block,
        exact=exact,
        display=display,
        stored=stored,
        phash=phash,
        frames=frames,
    )


def _jpeg_in_dct_domain(image: Image.Image, block: int) -> tuple[Image.Image | None, int]:
    """Ask libjpeg for a 1/``block`` RGB copy (DCT-domain scaling: each pixel is a block's mean).

    RGB rather than the Y plane, although Y is PDQ's luma before clamping: saturated colours clamp in the RGB
    conversion, and PDQ sees the clamped values (see ``_reduced_pdq.py``).

    Returns:
        The reduced image and its factor; or ``None`` and 1 when the decoder declined to scale (the image is
        then decoded in full and hashed exactly).
    """
    width, height = image.size
    with decoding():
        image.draft("RGB", (width // block, height // block))
        image.load()
    for factor in (8, 4, 2):
        if image.size == (-(-width // factor), -(-height // factor)):
            return image, factor
    return None, 1


def _reduced_rgb(image: Image.Image, block: int) -> Image.Image:
    """The current frame as Pillow's ``convert("RGB")`` gives it, averaged over ``block x block`` cells."""
    with decoding():
        check_size(image)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        return rgb.reduce(block) if block > 1 else rgb


def _luma_of(reduced: Image.Image) -> np.ndarray:
    pixels = np.asarray(reduced)
    if reduced.mode != "RGB":  # CMYK JPEGs are scaled in the DCT domain without a colour conversion
        with decoding():
            pixels = np.asarray(reduced.convert("RGB"))
    return luma(pixels)


def _animation_vpdq(
    image: Image.Image,
    display: int,
    cancel: threading.Event | None,
    progress: Callable[[float], None] | None,
) -> tuple[VpdqFrame, ...]:
    """vPDQ of an animation: frame number, start time (from the frame durations) and PDQ of each frame."""
    with decoding():
        total = min(image.n_frames, MAX_ANIMATION_FRAMES)
    every = math.ceil(total / MAX_ANIMATION_VPDQ_FRAMES)
    frames: list[VpdqFrame] = []
    elapsed_ms = 0.0
    deadline = PhotoDeadline()
    for index in range(total):
        _check_cancel(cancel)
        deadline.check()
        with decoding():
            image.seek(index)
            image.load()  # WebP reads a frame's duration only when decoding it
            duration = image.info.get("duration")
        if index % every == 0:
            width, height = image.size
            block = block_size_for(width, height)
            blocks = _luma_of(_reduced_rgb(image, block))
            pdq = pdq_from_block_means(blocks, (height, width), block, display)
            frames.append(VpdqFrame(index, round(elapsed_ms / 1000, 3), pdq))
        if isinstance(duration, int | float) and math.isfinite(duration) and duration > 0:
            elapsed_ms += duration
        if progress is not None:
            progress(0.2 + 0.8 * (index + 1) / total)
    return tuple(frames)


def _exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1..8); 1 when absent, unreadable or out of range. Bad EXIF is not fatal."""
    with quiet_pillow():
        try:
            value = image.getexif().get(ExifTags.Base.Orientation, 1)
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError):
            return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _phash(preview: Image.Image, display: int) -> str:
    shown = preview.transpose(_TRANSPOSE[display]) if display != 1 else preview
    with quiet_pillow():
        return phash_hex(shown)


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()

