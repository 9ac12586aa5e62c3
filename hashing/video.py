"""Fingerprints of a video from one decoding pass: vPDQ frames, TMK+PDQF, MD5 and SHA-256.

vPDQ follows Meta's reference (``vpdq/cpp/hashing/filehasher.cpp`` and ``ffmpegwrapper.cpp``, see ``VPDQ.md`` in
the project notes), which decodes with FFmpeg's libraries as we do (PyAV): the first video stream, its frame rate
from ``avg_frame_rate`` (``r_frame_rate`` when that is unknown), frames numbered by decoder output (0, 1, 2, ...),
every ``frame_mod``-th one hashed with PDQ, where ``frame_mod = int(seconds * fps)`` or 1, each carrying the
nominal time ``frame / fps``. Like the reference, frames are hashed as stored (rotation metadata is not applied)
and converted to RGB24 by swscale with ``SWS_AREA`` from the decoder's pixel format, with BT.601 coefficients
and the range the pixel format implies, whatever the stream's colour tags say (the reference sets no colour
details). ``SWS_ACCURATE_RND | SWS_BITEXACT`` select swscale's portable C code instead of the processor's SIMD
code: with them every frame of Meta's sample videos converts to the very pixels the reference hashed (exact PDQ
of them equals the sample hashes bit for bit), and the pixels no longer depend on the processor.

TMK's reference decodes with ``ffmpeg -s 64:64 -pix_fmt rgb24 -r 15``, which turns the picture upright and
squashes each frame to 64x64 RGB in one swscale step with the command line's default bicubic filter. The
accumulator is told the rotation and given frames squashed by that same swscale step (with the same two
exactness flags), and the frame rate ffmpeg assumes for its input (``av_guess_frame_rate``).

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
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from ._av import quiet_av
from ._budget import VideoDecodeBudget
from ._safe_open import checked_open, checked_stat
from .detect import HEADER_SIZE, format_of_header
from .errors import Cancelled, CorruptMedia, FileChanged, FileUnreadable, HashingError, TooLarge, UnsupportedFormat
from .exact import ExactHashes, exact_hashes
from .pdq import MIN_DIMENSION, fast_pdq_from_rgb
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
        HashingError: the file is missing, unreadable or empty (``hashing._safe_open``); not a video FFmpeg can
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
    av = quiet_av()
    result = _Decoded()
    with checked_open(path) as (handle, size):
        # Reading through our handle (not by name) keeps file-system errors ours and non-ASCII names working.
        reader = _GuardedReader(handle)
        container = _open_container(av, reader, handle)
        with container:
            reader.raise_if_failed()
            stream = next(iter(container.streams.video), None)  # the first video stream, as the reference takes
            if stream is None or stream.codec_context is None:  # no picture, or none FFmpeg can decode
                raise _unopenable(handle)
            decoder = stream.codec_context
            if decoder.width * decoder.height > MAX_FRAME_PIXELS:  # from the headers, before any frame is decoded
                raise TooLarge()
            fps = _vpdq_frame_rate(stream)
            if fps is None:
                raise CorruptMedia()
            decoder.thread_type = "AUTO"  # frame and slice threads: the same frames, decoded sooner
            decoder.options = {"max_pixels": str(MAX_FRAME_PIXELS)}  # and a frame bigger than its header says
            expected_frames = _expected_frames(container, stream, fps)

            def done_fraction(frames_read: int) -> float:
                if expected_frames > 0:
                    return frames_read / expected_frames
                return reader.tell() / size  # no frame count in the container: how far the decoder has read

            timing = _Timing(stream, fps, _tmk_frame_rate(stream) if tmk else None)
            frames = _decoded_frames(av, container, stream)
            try:
                _read_frames(frames, timing, vpdq_every, result, cancel, progress, done_fraction)
            finally:
                frames.close()
            reader.raise_if_failed()
    if timing.accumulator is not None:
        result.tmk = timing.accumulator.finish()
    result.warnings.extend(_warnings_for(result, expected_frames))
    return result


def _open_container(av: ModuleType, reader: _GuardedReader, handle: BinaryIO):
    try:
        return av.open(reader, "r", options={"max_pixels": str(MAX_FRAME_PIXELS)}, metadata_errors="ignore")
    except av.FFmpegError:
        reader.raise_if_failed()
        raise _unopenable(handle) from None  # FFmpeg's message would only repeat what the file looked like


def _vpdq_frame_rate(stream) -> float | None:
    """The reference's frame rate: ``avg_frame_rate``, or ``r_frame_rate`` when the container does not know it."""
    rate = stream.average_rate or stream.base_rate
    fps = float(rate) if rate else 0.0
    return fps if math.isfinite(fps) and fps > 0 else None


def _tmk_frame_rate(stream) -> float:
    """The rate the ffmpeg command line assumes for its input (``av_guess_frame_rate``); NaN when unknown."""
    rate = stream.guessed_rate
    return float(rate) if rate else math.nan


def _expected_frames(container, stream, fps: float) -> float:
    """The container's frame count, or one estimated from its duration and rate, or 0."""
    if stream.frames > 0:
        return float(stream.frames)
    if container.duration:
        seconds = container.duration / 1_000_000  # AV_TIME_BASE
    elif stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    else:
        return 0.0
    return float(math.floor(seconds * fps + 0.5))


def _decoded_frames(av: ModuleType, container, stream) -> Iterator:
    """The stream's frames in presentation order, as far as the file can be read.

    A packet the decoder rejects is skipped, as players and the ffmpeg command line do; a container that cannot
    be read further ends the stream there (what the decoder still holds comes out first), as in the reference.

    Raises:
        TooLarge: a picture is larger than ``MAX_FRAME_PIXELS``, whatever the headers said. The decoder's
            ``max_pixels`` refuses it before allocating it, with ``EINVAL``, the code FFmpeg's decoders give
            only for picture dimensions they cannot accept.
    """
    decoder = stream.codec_context
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError:
            packet = None  # damaged from here on: flush the decoder, then stop
        try:
            frames = decoder.decode(packet)
        except av.error.ArgumentError:
            raise TooLarge() from None
        except av.FFmpegError:
            if packet is None:
                return
            continue
        yield from frames
        if packet is None:
            return


class _Timing:
    """Per-stream facts the frame loop needs: rates, the clock's origin, the converter, and TMK once it starts."""

    def __init__(self, stream, fps: float, tmk_fps: float | None) -> None:
        self.fps = fps
        self.tmk_fps = tmk_fps
        self.time_base = stream.time_base
        self.start = stream.start_time or 0  # times count from the stream's start, as the ffmpeg command line's do
        self.converter = FrameConverter()
        self.accumulator: TmkAccumulator | None = None

    def seconds(self, frame, frame_number: int) -> float:
        if frame.pts is None or not self.time_base:
            return frame_number / self.fps  # no presentation time: the nominal one
        pts = float((frame.pts - self.start) * self.time_base)
        return pts if math.isfinite(pts) and pts >= 0 else frame_number / self.fps

    def tmk_add(self, frame, pts: float) -> None:
        if self.tmk_fps is None:
            return
        if self.accumulator is None:
            self.accumulator = _new_tmk_accumulator(self.tmk_fps, _rotation_of(frame), self.converter)
        self.accumulator.add(frame, pts)


class _GuardedReader(io.BufferedIOBase):
    """The file as FFmpeg reads it, with read errors kept for us instead of thrown into PyAV.

    WORKAROUND: PyAV keeps an exception raised by a Python stream's ``read`` in a per-thread slot and raises it
    from whichever FFmpeg call it checks next; when FFmpeg reads again before that (it retries), PyAV prints the
    first one to standard error ("PyAV library exception being dropped", av 18.1). A failing read ends the stream
    here instead (FFmpeg sees the end of the file), and the error is raised as ``FileUnreadable`` once FFmpeg
    has returned.
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


class FrameConverter:
    """FFmpeg's scaler (swscale) set up once per video for the two conversions the hashes need.

    A PyAV frame's own ``to_ndarray(format=...)`` builds a new scaler for every frame; keeping one per kind
    of conversion lets swscale reuse its tables and filters while the frames' size and format stay the same.
    ``ACCURATE_RND | BITEXACT`` make swscale use its portable C code: the same pixels on every processor, and
    the reference's (module docstring). One converter serves one thread.
    """

    def __init__(self) -> None:
        from av.video.reformatter import Interpolation, VideoReformatter

        exact = Interpolation.ACCURATE_RND | Interpolation.BITEXACT
        self._vpdq_flags = int(Interpolation.AREA | exact)  # the reference's SWS_AREA
        self._tmk_flags = int(Interpolation.BICUBIC | exact)  # the ffmpeg command line's default filter
        self._vpdq = VideoReformatter()
        self._tmk = VideoReformatter()

    def vpdq_rgb(self, frame) -> np.ndarray:
        """The frame in RGB24 at its size, converted as the reference's ``sws_getContext(..., SWS_AREA)`` does."""
        full_range = frame.format.name.startswith(("yuvj", "gray", "ya"))  # swscale's rule when no range is set
        converted = self._vpdq.reformat(
            frame,
            format="rgb24",
            interpolation=self._vpdq_flags,
            src_colorspace="ITU601",  # swscale's default matrix: the reference sets no colour details
            src_color_range="JPEG" if full_range else "MPEG",
            threads=1,
        )
        return converted.to_ndarray()

    def tmk_rgb64(self, frame) -> np.ndarray:
        """The frame squashed to 64x64 RGB24 as ``ffmpeg -s 64:64 -pix_fmt rgb24`` does: one bicubic swscale step."""
        converted = self._tmk.reformat(frame, width=64, height=64, format="rgb24", interpolation=self._tmk_flags,
                                       threads=1)  # fmt: skip
        return converted.to_ndarray()


def _rotation_of(frame) -> int:
    """Clockwise degrees a player turns the frame (PyAV gives the display matrix's angle counterclockwise)."""
    return round(-frame.rotation / 90) * 90 % 360


def _read_frames(
    frames: Iterator,
    timing: _Timing,
    vpdq_every: float,
    result: _Decoded,
    cancel: threading.Event | None,
    progress: _Progress,
    done_fraction: Callable[[int], float],
) -> None:
    fps = timing.fps
    frame_mod = vpdq_frame_mod(vpdq_every, fps)
    last_pts = -1.0
    frame_number = 0
    budget = VideoDecodeBudget()
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        started = time.monotonic()
        frame = next(frames, None)
        if frame is None:
            break
        rows, cols = frame.height, frame.width
        if rows * cols > MAX_FRAME_PIXELS:  # a stream may change size midway
            raise TooLarge()
        budget.spend(time.monotonic() - started, rows * cols)  # frames bigger than reported take longer
        pts = timing.seconds(frame, frame_number)
        last_pts = max(last_pts, pts)
        if frame_number % frame_mod == 0 and rows >= MIN_DIMENSION and cols >= MIN_DIMENSION:
            rgb = timing.converter.vpdq_rgb(frame)
            result.frames.append(VpdqFrame(frame_number, vpdq_timestamp(frame_number, fps), fast_pdq_from_rgb(rgb)))
        timing.tmk_add(frame, pts)
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


def _new_tmk_accumulator(fps: float, rotation_degrees: int, converter: FrameConverter) -> TmkAccumulator:
    from .tmk import TmkAccumulator  # TMK is optional work; importing it only when asked keeps start-up light

    return TmkAccumulator(fps, rotation_degrees, squash=converter.tmk_rgb64)


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
