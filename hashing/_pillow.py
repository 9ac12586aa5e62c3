"""Pillow, kept on a short leash: one decoder per file, our own size limit, no warnings, our errors only.

Pillow reports odd but readable files with ``warnings.warn`` (corrupt EXIF, odd palettes, image size) and
broken ones with whatever the parser raised (``OSError``, ``SyntaxError``, ``ValueError``, ``struct.error``...).
Neither may reach the person: each becomes one of our errors for that file, or nothing at all.
"""

from __future__ import annotations

import contextlib
import functools
import io
import struct
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from .errors import CorruptMedia, TooLarge

__all__ = ["MAX_PIXELS", "decoding", "open_image", "quiet_pillow"]

#: The most pixels one picture (or one animation frame) may have. Pillow itself refuses more than twice
#: its ``MAX_IMAGE_PIXELS`` (about 179 megapixels) as a decompression bomb; staying just under that makes
#: every such file fail the same way, with our message. 108-megapixel phone photos are well inside it.
MAX_PIXELS = 178_000_000

# Exceptions Pillow's parsers raise on malformed input (its AVIF plugin reports libavif's failures as
# RuntimeError: found by the fuzzer, tests/data/fuzz/findings). They are caught only around calls into Pillow,
# so a bug in our own code is never mistaken for a damaged file.
_DECODER_FAILURES = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError,
                     ZeroDivisionError, NotImplementedError, RuntimeError)


@functools.cache
def _register_heif() -> None:
    # pillow-heif adds its HEIF plugin to Pillow's process-wide registry; once is enough.
    import pillow_heif

    pillow_heif.register_heif_opener()


def open_image(source: io.BytesIO | Path, pillow_formats: tuple[str, ...]) -> Image.Image:
    """Open ``source`` with only the Pillow plugins in ``pillow_formats`` and check its size before decoding.

    Raises:
        CorruptMedia: the header is not a valid file of that format.
        TooLarge: more than :data:`MAX_PIXELS` pixels.
    """
    if "HEIF" in pillow_formats:
        _register_heif()
    with decoding():
        image = Image.open(source, formats=pillow_formats)
    check_size(image)
    return image


def check_size(image: Image.Image) -> None:
    """Refuse a picture (or the current animation frame) with more than :data:`MAX_PIXELS` pixels."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise TooLarge()


@contextlib.contextmanager
def decoding() -> Iterator[None]:
    """Run Pillow calls on a person's file: decoder failures become our errors, and warnings stay silent."""
    with quiet_pillow():
        try:
            yield
        except Image.DecompressionBombError as exc:
            raise TooLarge() from exc
        except MemoryError as exc:
            raise TooLarge() from exc
        except _DECODER_FAILURES as exc:
            raise CorruptMedia() from exc


# Python's warning filters are process-wide and ``catch_warnings`` is not thread-safe: two threads entering
# and leaving it in an interleaved order can leave the wrong filters behind. So the first decoding thread in
# installs the filters, the last one out restores them, under one lock.
_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: warnings.catch_warnings | None = None


@contextlib.contextmanager
def quiet_pillow() -> Iterator[None]:
    """Silence warnings raised by Pillow and pillow-heif (and by our own decoding code) while inside."""
    global _quiet_depth, _quiet_saved  # noqa: PLW0603 - see the comment above
    with _quiet_lock:
        if _quiet_depth == 0:
            _quiet_saved = warnings.catch_warnings()
            _quiet_saved.__enter__()
            warnings.filterwarnings("ignore", module=r"(PIL|pillow_heif|imagehash|hashing)(\.|$)")
            warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved is not None:
                _quiet_saved.__exit__(None, None, None)
                _quiet_saved = None
