"""Which decoded frames Meta's TMK hasher sees: ffmpeg 4.1's ``-r 15`` constant-rate conversion, replayed.

Meta's ``tmk-hash-video`` does not pick frames itself: it runs ``ffmpeg -i VIDEO ... -r 15 pipe:1`` and hashes
every frame ffmpeg writes. With the rawvideo muxer, ``-r`` as an output option means ffmpeg's constant-frame-rate
"vsync" logic (``do_video_out`` in ``fftools/ffmpeg.c`` of ffmpeg 4.1, the version the reference hashes were
made with): each decoded frame is written zero, one or several times, depending on how far its timestamp is
from the next output slot. Frames are dropped or repeated; nothing is blended.

``CfrResampler`` replays that decision on the timestamps our own decoder reports, one frame at a time, so the
TMK accumulator sees the same frames at the same 15-fps indices as the reference (for 30-fps input: input
frames 0, 1, 2, 3, 5, 7, 9, ...; TMK.md section 2.1, checked against the frame counts of Meta's sample hashes).

Two simplifications, both documented where they apply:

* Time starts at the first decoded frame. ffmpeg measures from the start of the file; the two differ only when
  another stream (audio) starts before the video, where ffmpeg repeats the first frame to fill the gap.
* A frame's packet duration, which ffmpeg reads from the container, is given by the caller as the gap to the
  next frame's timestamp; for the last frame, the nominal frame interval (the previous gap if the rate is
  unknown). For constant-rate video these are the container's numbers; for variable-rate MP4 without
  B-frames too, except perhaps the last frame's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["CfrResampler", "FrameCopies"]

# ffmpeg converts each timestamp to output ticks on a grid of 2**-16 ticks (tb.den <<= 16 in reap_filters), then
# nudges it off exact half-ticks by 2**-17 so that rounding does not depend on the platform.
_TICK_GRID = 2.0**16
_HALF_TICK_NUDGE = 2.0**-17
# ffmpeg gives up repeating one frame this many times ("frame duplication too large, skipping"):
# dts_error_threshold (3600 s) * 30.
_MAX_COPIES = 3600 * 30 * 30


@dataclass(frozen=True, slots=True)
class FrameCopies:
    """How a decoded frame appears in the constant-rate output.

    ``previous`` copies of the frame decoded before it come first (they fill a gap in the timestamps), then
    ``current`` copies of this frame. ``first_index`` is the 0-based output index of the first of them.
    """

    first_index: int
    previous: int
    current: int
    skipped: bool = False  #: ffmpeg refused to repeat the frame that often and ignored it (it is not "previous" next)

    @property
    def total(self) -> int:
        return self.previous + self.current


def _lrint(value: float) -> int:
    """C's ``lrintf``: round half to even, like Python's ``round``; the value passes through float32 first.

    Out-of-range values (undefined in C) are clamped, so absurd timestamps cannot raise here.
    """
    if not math.isfinite(value):
        return 0
    return round(float(np.float32(max(-(2.0**31), min(2.0**31, value)))))


class CfrResampler:
    """Replays ffmpeg 4.1's ``-r`` frame selection on presentation timestamps, one decoded frame at a time.

    Args:
        output_fps: The constant output rate (15 for TMK).
        source_fps: The stream's nominal frame rate; 0, NaN or infinity when the container does not say.
    """

    def __init__(self, output_fps: int, source_fps: float) -> None:
        if output_fps <= 0:
            raise ValueError(f"the output frame rate must be positive, got {output_fps}")
        if source_fps < 0:
            raise ValueError(f"the source frame rate cannot be negative, got {source_fps}")
        self._output_fps = output_fps
        known_rate = 0 < source_fps < math.inf  # False for 0, NaN and infinity
        # do_video_out's starting duration in output ticks: from the filter graph's frame rate, capped at 1.
        self._rate_duration = min(output_fps / source_fps, 1.0) if known_rate else 0.0
        self._nominal_interval_s = 1.0 / source_fps if known_rate else 0.0
        self._origin_s: float | None = None
        self._next_output = 0  # ost->sync_opts: output frames written so far
        self._recent_previous_copies = [0, 0, 0]  # ost->last_nb0_frames

    @property
    def output_count(self) -> int:
        """Output frames decided so far."""
        return self._next_output

    def add(self, pts_s: float, duration_s: float | None = None) -> FrameCopies:
        """Decide how often the next decoded frame (in presentation order) is written.

        Args:
            pts_s: Its presentation time in seconds (finite).
            duration_s: How long it is shown (the gap to the next frame's timestamp), which ffmpeg reads from
                the packet; None if unknown (the nominal frame rate is used then).
        """
        if duration_s is None:
            duration_s = self._nominal_interval_s
        ticks = self._ticks(pts_s)
        duration = self._rate_duration
        packet_ticks = _lrint(duration_s * self._output_fps)
        if packet_ticks > 0:
            duration = float(packet_ticks)

        drift = ticks - self._next_output  # delta0
        delta = drift + duration
        if drift < 0 < delta:
            drift = 0.0  # "clipping frame in rate conversion": changes the frame's timestamp, not the count
        current, previous = 1, 0
        if delta < -1.1:
            current = 0
        elif delta > 1.1:
            current = _lrint(delta)
            if drift > 1.1:
                previous = _lrint(drift - 0.6)
        previous = min(previous, current)
        self._recent_previous_copies = [previous, *self._recent_previous_copies[:2]]
        if current > _MAX_COPIES:
            return FrameCopies(self._next_output, 0, 0, skipped=True)
        first = self._next_output
        self._next_output += current
        return FrameCopies(first, previous, current - previous)

    def surely_kept(self, pts_s: float) -> bool:
        """Whether the next frame is written at least once whatever its duration turns out to be.

        A frame is dropped only if ``drift + duration < -1.1`` ticks, and its duration is at least the
        frame-rate fallback; so callers can do a frame's work early when this is True, and otherwise wait.
        """
        return self._ticks(pts_s) - self._next_output + self._rate_duration >= -1.1

    def _ticks(self, pts_s: float) -> float:
        """The frame's time in output ticks, on ffmpeg's grid and nudged off half-ticks."""
        if not math.isfinite(pts_s):
            raise ValueError(f"a frame timestamp must be finite, got {pts_s}")
        if self._origin_s is None:
            self._origin_s = pts_s
        ticks = round((pts_s - self._origin_s) * self._output_fps * _TICK_GRID) / _TICK_GRID
        return ticks + (_HALF_TICK_NUDGE if ticks > 0 else -_HALF_TICK_NUDGE)  # FFSIGN(0) is -1

    def flush(self) -> FrameCopies:
        """At the end of the stream ffmpeg repeats the last frame the median of the last three gap-fill counts.

        Returns:
            Copies of the last decoded frame to append (as ``previous``; ``current`` is always 0).
        """
        copies = sorted(self._recent_previous_copies)[1] if self._origin_s is not None else 0
        if copies > _MAX_COPIES:
            copies = 0  # the same "duplication too large" refusal as for any frame
        first = self._next_output
        self._next_output += copies
        return FrameCopies(first, copies, 0)
