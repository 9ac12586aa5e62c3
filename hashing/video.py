"""Fingerprints of a video from one decoding pass: vPDQ frames, TMK+PDQF, MD5 and SHA-256.

vPDQ follows Meta's reference (``vpdq/cpp/hashing/filehasher.cpp``, see ``VPDQ.md`` in the project notes):
frames are numbered by decoder output (0, 1, 2, ...), every ``frame_mod``-th one is hashed with PDQ, where
``frame_mod = int(seconds * fps)`` or 1, and each carries the nominal time ``frame / fps``. Like the reference,
frames are hashed as stored: rotation metadata is not applied (OpenCV would, so it is turned off). TMK's own
reference decodes with the ffmpeg command line, which does rotate, so the accumulator is told the rotation.

OpenCV's conversion to RGB is not FFmpeg's ``SWS_AREA`` one, so frame hashes differ from the reference's by
a few bits (well inside vPDQ's match distance of 31); ``tests/hashing/test_video.py`` holds the line.

Damaged files: a file that does not open as a video fails (``CorruptMedia`` when it starts like a video
container, ``UnsupportedFormat`` otherwise). A file that opens but stops early is fingerprinted as far as it
plays, with a ``PARTLY_DAMAGED`` warning. One that opens but yields no picture at all still gets its exact
hashes, with a ``NO_FRAMES`` warning: the same damaged bytes passed around elsewhere match by MD5.
"""

from __future__ import annotations

import errno
import io
import math
import numbers
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from ._budget import VideoDecodeBudget
from ._safe_open import checked_open, checked_stat
from ._opencv import quiet_cv2
from .detect import HEADER_SIZE, format_of_header
from .errors import Cancelled, CorruptMedia, FileChanged, FileUnreadable, HashingError, TooLarge, UnsupportedFormat
from .exact import ExactHashes, exact_hashes
from .pdq import MIN_DIMENSION, fast_pdq_from_bgr
from .results import FingerprintWarning, MediaKind, VideoFingerprints, VpdqFrame, WarningCode

if TYPE_CHECKING:
    from .tmk import TmkAccumulator

__all__ = ["DEFAULT_VPDQ_EVERY", "MAX_FRAME_PIXELS", "hash_video", "vpdq_frame_mod", "vpdq_timestamp"]

#: Seconds between hashed frames by default, as Meta's ``hashVideoFile`` and python-threatexchange use.
DEFAULT_VPDQ_EVERY = 1.0

#: Larger frames are refused before decoding: twice 8K UHD, far beyond any camera or phone.
MAX_FRAME_PIXELS = 2 * 7680 * 4320

#: Progress is reported at most this often (seconds), so a GUI is not flooded with updates.
_PROGRESS_INTERVAL = 0.1


def vpdq_frame_mod(seconds: float, fps: float) -> int:
    """Hash every n-th frame, n as Meta's vPDQ computes it: ``int(seconds * fps)``, and at least 1."""
    return max(1, int(seconds * fps))


def vpdq_timestamp(frame: int, fps: float) -> float:
    """The nominal time of a frame as vPDQ writes it: ``frame / fps`` in float32, to 3 decimals."""
    return round(float(np.float32(frame) / np.float32(fps)), 3)


def hash_video(
    path: str | Path,
    *,
    vpdq_every: float = DEFAULT_VPDQ_EVERY,
    tmk: bool = True,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> VideoFingerprints:
    """Fingerprint a video: MD5 and SHA-256 of its bytes, vPDQ of its frames, and TMK+PDQF.

    The frames are decoded once, one at a time (memory stays flat however long the video); the exact hashes
    read the bytes in a second thread meanwhile.

    Args:
        path: the video file. Its name is never part of the result.
        vpdq_every: seconds between hashed frames (vPDQ's ``seconds_per_hash``); 0 hashes every frame.
        tmk: also compute TMK+PDQF (``hashing.tmk``), the video hash StopNCII exchanges.
        cancel: set it to stop; the call then raises ``Cancelled``.
        progress: called with the fraction done (0..1, never decreasing, 1.0 at the end), about 10 times a
            second at most.

    Returns:
        The fingerprints. ``warnings`` says when decoding stopped early (``PARTLY_DAMAGED``: what was read is
        fingerprinted), when no frame could be hashed (``NO_FRAMES``: the exact hashes still identify this
        very file), or when no frame has the detail platforms need (``LOW_QUALITY``).

    Raises:
        ValueError: ``vpdq_every`` is negative or not finite.
        HashingError: the file is missing, unreadable or empty (``hashing._safe_open``); not a video OpenCV can
            open (``UnsupportedFormat``); a video container too damaged to open (``CorruptMedia``); frames
            larger than ``MAX_FRAME_PIXELS`` or slower to decode than their size allows (``TooLarge``, see
            ``_budget.py``); a file that grew or shrank while it was read (``FileChanged``); or ``cancel`` was set
            (``Cancelled``).
    """
    if isinstance(vpdq_every, bool) or not isinstance(vpdq_every, numbers.Real):
        raise TypeError(f"vpdq_every is a number of seconds, got {type(vpdq_every).__name__}")
    if not math.isfinite(vpdq_every) or vpdq_every < 0:
        raise ValueError(f"vpdq_every must be 0 (every frame) or a positive number of seconds, got {vpdq_every}")
    size = checked_stat(path).st_size
    stop_reading = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exact-hashes") as pool:
        exact = pool.submit(exact_hashes, path, cancel=stop_reading)
        try:
            decoded = _decode(path, vpdq_every, tmk, cancel, _Progress(progress))
        except BaseException:
            stop_reading.set()
            raise
        hashes = _wait_for(exact, cancel, stop_reading)
    if hashes.size != size or _size_now(path) != size:  # still downloading, copying or being cut short
        raise FileChanged()
    if progress is not None:
        progress(1.0)
    return VideoFingerprints(
        md5=hashes.md5,
        sha256=hashes.sha256,
        duration_s=decoded.duration_s,
        frame_count=decoded.frame_count,
        vpdq=tuple(decoded.frames),
        tmk=decoded.tmk,
        warnings=tuple(decoded.warnings),
    )


def _size_now(path: str | Path) -> int:
    try:
        return checked_stat(path).st_size
    except HashingError as exc:  # gone or replaced by something else since it was read
        raise FileChanged() from exc


def _wait_for(exact: Future[ExactHashes], cancel: threading.Event | None, stop: threading.Event) -> ExactHashes:
    """The exact hashes, still honouring ``cancel`` while the reading thread finishes."""
    while True:
        if cancel is not None and cancel.is_set():
            stop.set()
        try:
            return exact.result(timeout=0.05)
        except TimeoutError:
            continue


class _Progress:
    """Turns decoder position into throttled, never-decreasing progress below 1.0 (1.0 is for the very end)."""

    def __init__(self, report: Callable[[float], None] | None) -> None:
        self._report = report
        self._last_value = 0.0
        self._last_time = 0.0

    def update(self, fraction: float) -> None:
        if self._report is None:
            return
        fraction = min(0.99, max(self._last_value, fraction))
        now = time.monotonic()
        if fraction > self._last_value and now - self._last_time >= _PROGRESS_INTERVAL:
            self._last_value, self._last_time = fraction, now
            self._report(fraction)


class _Decoded:
    def __init__(self) -> None:
        self.frames: list[VpdqFrame] = []
        self.frame_count = 0
        self.duration_s = 0.0
        self.tmk = None
        self.warnings: list[FingerprintWarning] = []


def _decode(
    path: str | Path, vpdq_every: float, tmk: bool, cancel: threading.Event | None, progress: _Progress
) -> _Decoded:
    cv2 = quiet_cv2()
    result = _Decoded()
    with checked_open(path) as (handle, size):
        # Reading through our handle (not by name) keeps file-system errors ours and non-ASCII names working.
        reader = _GuardedReader(handle)
        capture = cv2.VideoCapture(reader, cv2.CAP_FFMPEG, [])
        try:
            reader.raise_if_failed()
            if not capture.isOpened():
                raise _unopenable(handle)
            capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)  # vPDQ hashes frames as stored
            width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
            height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            if width * height > MAX_FRAME_PIXELS:
                raise TooLarge()
            fps = capture.get(cv2.CAP_PROP_FPS)
            if not math.isfinite(fps) or fps <= 0:
                raise CorruptMedia()
            expected_frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
            rotation = int(round(capture.get(cv2.CAP_PROP_ORIENTATION_META))) % 360
            accumulator = _new_tmk_accumulator(fps, rotation) if tmk else None

            def done_fraction(frames_read: int) -> float:
                if expected_frames > 0:
                    return frames_read / expected_frames
                return reader.tell() / size  # no frame count in the container: how far the decoder has read

            _read_frames(cv2, capture, fps, vpdq_every, accumulator, result, cancel, progress, done_fraction)
            reader.raise_if_failed()
        finally:
            capture.release()
    if accumulator is not None:
        result.tmk = accumulator.finish()
    result.warnings.extend(_warnings_for(result, expected_frames))
    return result


class _GuardedReader(io.BufferedIOBase):
    """The file as OpenCV reads it, with read errors kept for us instead of thrown into OpenCV.

    WORKAROUND: an exception raised by a Python stream's ``read`` inside ``cv2.VideoCapture`` crashes the whole
    process (segmentation fault, OpenCV 5.0.0). A failing read ends the stream here (FFmpeg sees the end of
    the file) and the error is raised as ``FileUnreadable`` once OpenCV has returned.
    """

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__()
        self._handle = handle
        self._error: OSError | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._error is not None:
            return b""
        try:
            return self._handle.read(size)
        except OSError as exc:
            self._error = exc
            return b""

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self._error is not None:
            return -1
        try:
            return self._handle.seek(offset, whence)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: a position before the start, from a damaged index (fuzzer)
                self._error = exc
            return -1

    def tell(self) -> int:
        try:
            return self._handle.tell()
        except OSError as exc:
            self._error = self._error or exc
            return 0

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise FileUnreadable() from self._error


def _read_frames(
    cv2,
    capture,
    fps: float,
    vpdq_every: float,
    accumulator: TmkAccumulator | None,
    result: _Decoded,
    cancel: threading.Event | None,
    progress: _Progress,
    done_fraction: Callable[[int], float],
) -> None:
    frame_mod = vpdq_frame_mod(vpdq_every, fps)
    last_pts = -1.0
    frame_number = 0
    budget = VideoDecodeBudget()
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        started = time.monotonic()
        ok, frame = capture.read()
        if not ok:
            break
        rows, cols = frame.shape[:2]
        if rows * cols > MAX_FRAME_PIXELS:  # a stream may change size midway
            raise TooLarge()
        budget.spend(time.monotonic() - started, rows * cols)  # frames bigger than reported take longer
        pts = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        if not math.isfinite(pts) or pts < 0:
            pts = frame_number / fps  # no presentation time: the nominal one
        last_pts = max(last_pts, pts)
        if frame_number % frame_mod == 0 and rows >= MIN_DIMENSION and cols >= MIN_DIMENSION:
            result.frames.append(
                VpdqFrame(frame_number, vpdq_timestamp(frame_number, fps), fast_pdq_from_bgr(frame))
            )
        if accumulator is not None:
            accumulator.add(frame, pts)
        frame_number += 1
        progress.update(done_fraction(frame_number))
    result.frame_count = frame_number
    if frame_number:
        result.duration_s = round(max(last_pts, (frame_number - 1) / fps) + 1 / fps, 3)


def _warnings_for(result: _Decoded, expected_frames: float) -> list[FingerprintWarning]:
    warnings = []
    # The container's count is exact for MP4/MOV and estimated from the duration elsewhere (MKV, WebM, AVI):
    # allow for the estimate's rounding, not for a missing stretch of video.
    if expected_frames > 0 and result.frame_count < expected_frames - max(2.0, 0.02 * expected_frames):
        warnings.append(
            FingerprintWarning(
                WarningCode.PARTLY_DAMAGED,
                "This video seems damaged or incomplete: only the first part could be read, and only that part "
                "was fingerprinted. If you have a complete copy, add that one too.",
            )
        )
    if not result.frames:
        warnings.append(
            FingerprintWarning(
                WarningCode.NO_FRAMES,
                "No picture in this video could be read, so only this exact file can be recognised, not "
                "edited or re-saved copies of it. If you have another copy that plays, add that one too.",
            )
        )
    elif not any(frame.hash.matchable for frame in result.frames):
        warnings.append(
            FingerprintWarning(
                WarningCode.LOW_QUALITY,
                "This video's pictures have very little detail (for example mostly dark or blank), so "
                "platforms may not be able to recognise copies of it. The exact copy can still be matched.",
            )
        )
    return warnings


def _new_tmk_accumulator(fps: float, rotation_degrees: int) -> TmkAccumulator:
    from .tmk import TmkAccumulator  # TMK is optional work; importing it only when asked keeps start-up light

    return TmkAccumulator(fps, rotation_degrees)


def _unopenable(handle: BinaryIO) -> CorruptMedia | UnsupportedFormat:
    """A damaged video when the file starts like a video container, otherwise not a video at all."""
    try:
        handle.seek(0)
        head = handle.read(HEADER_SIZE)
    except OSError as exc:
        raise FileUnreadable() from exc
    try:
        starts_like_video = format_of_header(head).kind is MediaKind.VIDEO
    except UnsupportedFormat:
        starts_like_video = False
    return CorruptMedia() if starts_like_video else UnsupportedFormat()
