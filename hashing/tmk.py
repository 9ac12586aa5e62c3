"""TMK+PDQF, Meta's whole-video fingerprint: computed from decoded frames, read and written as ``.tmk`` files, scored.

Platforms match videos with Meta's C++ ``tmk-hash-video`` / ``tmk-query``; StopNCII exchanges the result as
``VideoTMK`` and NCMEC as ``TMK_PDQF``. A fingerprint is only useful if it scores like Meta's own on the same
video, so this module follows the reference closely (spec: ``TMK.md``; sources: ThreatExchange
``tmk/cpp/algo/tmkfv.cpp``, ``tmk/cpp/io/tmkio.cpp``, ``tmk/cpp/hashing/filehasher.cpp``):

* Frames: the reference hashes what ``ffmpeg -s 64:64 -pix_fmt rgb24 -r 15`` writes. ``TmkAccumulator``
  replays ffmpeg 4.1's frame selection on our decoder's timestamps (``_frame_rate.py``) and squashes each chosen
  frame to 64x64: the video pass has FFmpeg's own scaler do it from the decoded frame, as the command line does
  (``hashing.video``); frames given as arrays are squashed with an antialiased bicubic filter like it.
* Feature per frame: PDQF, the 16x16 float DCT of the frame's luma that PDQ thresholds (no DC term, row-major).
* Hash: the average of the raw features, plus, for four periods and 32 Fourier coefficients, cosine- and
  sine-weighted sums of the L2-normalised features, each normalised to length sqrt(a_j) at the end.
* Scores: level 1 is the cosine of the two averages; level 2 is the best circular time alignment of the
  Fourier features. Meta calls two videos the same when both are at least 0.7.

Everything is streamed: the accumulator holds 2 x 4 x 32 x 256 floats whatever the video's length.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._safe_open import checked_open
from ._frame_rate import CfrResampler
from .errors import FileUnreadable, InvalidTmk
from .pdq import fast_dct16, luma

__all__ = [
    "DEFAULT_LEVEL1_THRESHOLD",
    "DEFAULT_LEVEL2_THRESHOLD",
    "TMK_FILE_SIZE",
    "TmkAccumulator",
    "TmkAlgorithm",
    "TmkHash",
    "TmkMatch",
    "pdqf_feature",
    "read_tmk",
    "squash_to_64",
    "tmk_match",
]

#: Meta's thresholds "validated for TMK+PDQF" (``tmk_default_thresholds.h``): a match needs both scores >= 0.7.
DEFAULT_LEVEL1_THRESHOLD = 0.7
DEFAULT_LEVEL2_THRESHOLD = 0.7

#: The reference resamples every video to this many frames per second before hashing.
FRAMES_PER_SECOND = 15
#: Frames are squashed to this many pixels square (aspect ratio not kept), as ``ffmpeg -s 64:64``.
FRAME_SIZE = 64
#: PDQF: 16 x 16 DCT coefficients.
FEATURE_DIMENSION = 256
#: Periods, in 15-fps frames, of the Fourier features ("Poullot periods", all prime).
PERIODS = (2731, 4391, 9767, 14653)
#: Weights a_j of the 32 Fourier coefficients: von Mises weights with beta = 32, i.e. a_0 = (I_0(32) - e^-32) /
#: (2 sinh 32) and a_j = I_j(32) / sinh 32. The reference writes these decimal values, rounded to float32, into
#: every file; using the same decimals makes our files byte-identical to its header.
FOURIER_COEFFICIENTS = (
    0.0708041893112, 0.13937789309, 0.132897260304, 0.122765735552, 0.109878684888, 0.09529606433,
    0.0800986647852, 0.0652590650356, 0.0515478238322, 0.0394851531195, 0.0293374252025, 0.0211492623679,
    0.0147973073245, 0.0100512818746, 0.0066306408014, 0.00424947117334, 0.0026467615764, 0.00160270959695,
    0.000943882629639, 0.000540841638603, 0.000301633183798, 0.000163800158855, 8.66454753015e-05,
    4.46626303151e-05, 2.24429442235e-05, 1.09982139799e-05, 5.25823487999e-06, 2.45358229988e-06,
    1.11781474895e-06, 4.97406489221e-07, 2.16265487234e-07, 9.19087006565e-08,
)  # fmt: skip

_PROJECT_MAGIC = b"TMK1"
_FILE_TYPE_MAGIC = b"FVEC"
_HEADER = np.dtype(
    [("project", "S4"), ("file_type", "S4"), ("algorithm", "S4"), ("fps", "<i4"),
     ("periods", "<i4"), ("coefficients", "<i4"), ("dimension", "<i4"), ("frame_count", "<i4")]
)  # fmt: skip
#: Size of a ``.tmk`` file with the standard parameters: 32-byte header, periods, coefficients, average, cos, sin.
TMK_FILE_SIZE = _HEADER.itemsize + 4 * (
    len(PERIODS) + len(FOURIER_COEFFICIENTS) + FEATURE_DIMENSION
    + 2 * len(PERIODS) * len(FOURIER_COEFFICIENTS) * FEATURE_DIMENSION
)  # fmt: skip
# areCompatible: Fourier coefficients may differ by this relative amount (float32 round trips).
_COEFFICIENT_TOLERANCE = 1e-6

# Whole sentences with fields (the app translates the template and fills the sizes in).
_TOO_SHORT_TEMPLATE = (
    "This video fingerprint file (.tmk) cannot be used: it is only {size:,} bytes long, far too short for a TMK "
    "fingerprint. It may be damaged or made by a different tool. If you still have the video, add the video "
    "itself instead."
)
_CUT_SHORT_TEMPLATE = (
    "This video fingerprint file (.tmk) cannot be used: it is cut short ({size:,} bytes instead of {expected:,}). "
    "It may be damaged or made by a different tool. If you still have the video, add the video itself instead."
)
_TOO_LONG_TEMPLATE = (
    "This video fingerprint file (.tmk) cannot be used: it is longer than a TMK fingerprint ({size:,} bytes "
    "instead of {expected:,}). It may be damaged or made by a different tool. If you still have the video, add "
    "the video itself instead."
)


class TmkAlgorithm(enum.Enum):
    """The per-frame feature a TMK hash averages; its value is the 4-byte magic in the file."""

    PDQF = "PDQF"  #: PDQ's float DCT block, before thresholding


def _frozen_array(values: object, dtype: str, shape: tuple[int, ...], name: str) -> np.ndarray:
    array = np.array(values, dtype=dtype, copy=True)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, eq=False)
class TmkHash:
    """One video's TMK fingerprint, as Meta's ``.tmk`` file holds it.

    The arrays are read-only copies. Two hashes are equal when they would serialise to the same bytes.

    Attributes:
        algorithm: The frame feature (always PDQF here).
        fps: Frames per second the video was resampled to before hashing (15).
        periods: int32 periods, in resampled frames, of the Fourier features.
        coefficients: float32 Fourier weights a_j, one per coefficient.
        frame_count: How many resampled frames were averaged (informational; about duration x 15).
        average: float32 mean of the raw frame features ("pure average"), used by the level-1 score.
        cos: float32 ``[period, coefficient, dimension]`` cosine features, used by the level-2 score.
        sin: float32 sine features, same shape.
    """

    algorithm: TmkAlgorithm
    fps: int
    periods: np.ndarray
    coefficients: np.ndarray
    frame_count: int
    average: np.ndarray
    cos: np.ndarray
    sin: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.algorithm, TmkAlgorithm):
            raise TypeError(f"algorithm must be a TmkAlgorithm, got {self.algorithm!r}")
        if int(self.fps) <= 0 or int(self.frame_count) < 0:
            raise ValueError(f"need fps > 0 and frame_count >= 0, got {self.fps} and {self.frame_count}")
        periods = np.asarray(self.periods)
        coefficients = np.asarray(self.coefficients)
        average = np.asarray(self.average)
        if periods.ndim != 1 or coefficients.ndim != 1 or average.ndim != 1:
            raise ValueError("periods, coefficients and average must be 1-D")
        if np.any(periods <= 0):
            raise ValueError(f"periods must be positive, got {periods.tolist()}")
        shape = (len(periods), len(coefficients), len(average))
        object.__setattr__(self, "fps", int(self.fps))
        object.__setattr__(self, "frame_count", int(self.frame_count))
        object.__setattr__(self, "periods", _frozen_array(periods, "<i4", shape[:1], "periods"))
        object.__setattr__(self, "coefficients", _frozen_array(coefficients, "<f4", shape[1:2], "coefficients"))
        object.__setattr__(self, "average", _frozen_array(average, "<f4", shape[2:], "average"))
        object.__setattr__(self, "cos", _frozen_array(self.cos, "<f4", shape, "cos"))
        object.__setattr__(self, "sin", _frozen_array(self.sin, "<f4", shape, "sin"))

    def __repr__(self) -> str:
        return (
            f"TmkHash({self.algorithm.value}, {self.fps} fps, {self.frame_count} frames, "
            f"periods={self.periods.tolist()}, {len(self.coefficients)} coefficients)"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TmkHash):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    # -- the .tmk file --------------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The hash as Meta's ``.tmk`` file (TMK1/FVEC layout, little-endian), readable by ``tmk-query``.

        Layout: 32-byte header (``TMK1``, ``FVEC``, algorithm magic, then int32 fps, period count, coefficient
        count, dimension, frame count), int32 periods, float32 coefficients, float32 average, then the cosine
        and the sine features, each ordered period, coefficient, dimension. No padding.
        """
        header = np.zeros(1, _HEADER)
        header[0] = (
            _PROJECT_MAGIC, _FILE_TYPE_MAGIC, self.algorithm.value.encode("ascii"), self.fps,
            len(self.periods), len(self.coefficients), len(self.average), self.frame_count,
        )  # fmt: skip
        parts = (header, self.periods, self.coefficients, self.average, self.cos, self.sin)
        return b"".join(part.tobytes() for part in parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> TmkHash:
        """Parse a ``.tmk`` file made by Meta's tools or by ``to_bytes``.

        Only hashes Takeback can compare are accepted: TMK+PDQF at 15 fps with Meta's standard periods and
        coefficients, exactly one hash's worth of bytes, and finite numbers throughout.

        Raises:
            InvalidTmk: the data is truncated, has trailing bytes, is not a TMK feature-vector file, was
                made with other parameters, or contains NaN/infinite values.
        """
        data = bytes(data)
        if len(data) < _HEADER.itemsize:
            raise InvalidTmk.from_template(_TOO_SHORT_TEMPLATE, size=len(data))
        header = np.frombuffer(data, _HEADER, count=1)[0]
        if header["project"] != _PROJECT_MAGIC or header["file_type"] != _FILE_TYPE_MAGIC:
            raise InvalidTmk("it does not start the way a TMK fingerprint file does")
        if header["algorithm"] != TmkAlgorithm.PDQF.value.encode("ascii"):
            raise InvalidTmk("it was made with a frame feature other than PDQF")
        expected = (FRAMES_PER_SECOND, len(PERIODS), len(FOURIER_COEFFICIENTS), FEATURE_DIMENSION)
        found = tuple(int(header[name]) for name in ("fps", "periods", "coefficients", "dimension"))
        if found != expected:
            raise InvalidTmk("it was made with different TMK settings (frame rate, periods or feature size)")
        if int(header["frame_count"]) < 0:
            raise InvalidTmk("its frame count is negative")
        if len(data) != TMK_FILE_SIZE:
            template = _CUT_SHORT_TEMPLATE if len(data) < TMK_FILE_SIZE else _TOO_LONG_TEMPLATE
            raise InvalidTmk.from_template(template, size=len(data), expected=TMK_FILE_SIZE)
        offset = _HEADER.itemsize
        sections = {}
        for name, dtype, shape in (
            ("periods", "<i4", (len(PERIODS),)),
            ("coefficients", "<f4", (len(FOURIER_COEFFICIENTS),)),
            ("average", "<f4", (FEATURE_DIMENSION,)),
            ("cos", "<f4", (len(PERIODS), len(FOURIER_COEFFICIENTS), FEATURE_DIMENSION)),
            ("sin", "<f4", (len(PERIODS), len(FOURIER_COEFFICIENTS), FEATURE_DIMENSION)),
        ):
            count = math.prod(shape)
            sections[name] = np.frombuffer(data, dtype, count=count, offset=offset).reshape(shape)
            offset += 4 * count
        if tuple(sections["periods"].tolist()) != PERIODS or not _same_coefficients(sections["coefficients"]):
            raise InvalidTmk("it was made with different TMK settings (periods or Fourier coefficients)")
        if not all(np.isfinite(sections[name]).all() for name in ("average", "cos", "sin")):
            raise InvalidTmk("it contains numbers that are not valid (NaN or infinity)")
        return cls(
            algorithm=TmkAlgorithm.PDQF,
            fps=FRAMES_PER_SECOND,
            frame_count=int(header["frame_count"]),
            **sections,
        )

    # -- scores ---------------------------------------------------------------------------------------------

    def is_compatible(self, other: TmkHash) -> bool:
        """Whether the two hashes can be scored against each other (Meta's ``areCompatible``).

        Same algorithm, frame rate, periods and dimension, and Fourier coefficients equal to within 1e-6.
        """
        if (self.algorithm, self.fps, self.periods.shape, self.average.shape, self.coefficients.shape) != (
            other.algorithm, other.fps, other.periods.shape, other.average.shape, other.coefficients.shape,
        ):  # fmt: skip
            return False
        if not np.array_equal(self.periods, other.periods):
            return False
        a, b = self.coefficients.astype(np.float64), other.coefficients.astype(np.float64)
        scale = np.maximum(np.abs(a), np.abs(b))
        relative = np.divide(np.abs(a - b), scale, out=np.zeros_like(scale), where=scale > 0)
        return bool(np.all(relative <= _COEFFICIENT_TOLERANCE))

    def level1(self, other: TmkHash) -> float:
        """Cosine similarity of the two pure-average features, -1..1: Meta's cheap first filter.

        Raises:
            ValueError: the hashes are not compatible.
        """
        self._require_compatible(other)
        u, v = self.average.astype(np.float64), other.average.astype(np.float64)
        norms = math.sqrt(float(np.sum(u * u)) * float(np.sum(v * v)))  # NumPy's own sums, not BLAS dot products
        return float(np.sum(u * v)) / norms if norms > 0 else 0.0

    def level2(self, other: TmkHash) -> float:
        """The full TMK score, 0..1: how well the two videos' frame sequences line up at the best time offset.

        For each period T and every offset o = 0..T-1 (in 15-fps frames), the kernel
        ``K(o) = cc_0 + sum_j cos(2 pi j o / T) (cc_j + ss_j) + sin(2 pi j o / T) (sc_j - cs_j)`` is evaluated
        for all offsets at once (one matrix-vector product per period with a cached cos/sin table); the score
        is the best value over offsets and periods divided by ``a_0 + 2 sum a_j``. ``cc_j`` etc. are dot
        products of the cosine/sine features.

        Raises:
            ValueError: the hashes are not compatible.
        """
        self._require_compatible(other)
        return float(np.max(_best_kernel_per_period(self, other))) / _pair_score_normaliser(self.coefficients)

    def _require_compatible(self, other: TmkHash) -> None:
        if not isinstance(other, TmkHash):
            raise TypeError(f"can only score against another TmkHash, not {type(other).__name__}")
        if not self.is_compatible(other):
            raise ValueError("these TMK hashes were made with different parameters and cannot be compared")


def _same_coefficients(coefficients: np.ndarray) -> bool:
    standard = np.asarray(FOURIER_COEFFICIENTS, np.float32).astype(np.float64)
    return bool(np.all(np.abs(coefficients.astype(np.float64) - standard) <= _COEFFICIENT_TOLERANCE * standard))


def _pair_score_normaliser(coefficients: np.ndarray) -> float:
    """a_0 + 2 sum a_j: the level-2 kernel of a video with itself at offset 0, so that identical videos score 1."""
    a = coefficients.astype(np.float64)
    return float(a[0] + 2 * a[1:].sum()) if len(a) else 1.0


@functools.cache
def _offset_table(period: int, harmonics: int) -> np.ndarray:
    """``[cos(2 pi j o / T) ; sin(2 pi j o / T)]`` for j = 1..harmonics, o = 0..T-1: a (2*harmonics, T) table.

    float32 (7.5 MiB for Meta's four periods), like the reference's kernel; scores move by < 1e-7.
    """
    angles = (2.0 * np.pi / period) * np.outer(np.arange(1, harmonics + 1), np.arange(period))
    table = np.concatenate([np.cos(angles), np.sin(angles)], axis=0).astype(np.float32)
    table.flags.writeable = False
    return table


def _best_kernel_per_period(a: TmkHash, b: TmkHash) -> np.ndarray:
    """max over offsets of the level-2 kernel, one value per period (Meta's ``findPairOffsetsModuloPeriods``)."""
    a_cos, a_sin = a.cos.astype(np.float64), a.sin.astype(np.float64)
    b_cos, b_sin = b.cos.astype(np.float64), b.sin.astype(np.float64)
    cos_cos = np.einsum("pjk,pjk->pj", a_cos, b_cos)
    sin_sin = np.einsum("pjk,pjk->pj", a_sin, b_sin)
    sin_cos = np.einsum("pjk,pjk->pj", a_sin, b_cos)
    cos_sin = np.einsum("pjk,pjk->pj", a_cos, b_sin)
    weights = np.concatenate([(cos_cos + sin_sin)[:, 1:], (sin_cos - cos_sin)[:, 1:]], axis=1).astype(np.float32)
    harmonics = a.coefficients.shape[0] - 1
    best = np.empty(len(a.periods))
    for index, period in enumerate(a.periods.tolist()):
        if harmonics > 0:
            kernel = np.einsum("ho,h->o", _offset_table(period, harmonics), weights[index])  # einsum: no BLAS
            best[index] = cos_cos[index, 0] + float(kernel.max())
        else:
            best[index] = cos_cos[index, 0] if cos_cos.shape[1] else 0.0
    return best


def read_tmk(path: str | Path) -> TmkHash:
    """Read a ``.tmk`` file (Meta's ``tmk-hash-video`` output or ours).

    Raises:
        InvalidTmk: the file is not a usable TMK+PDQF fingerprint (see ``TmkHash.from_bytes``).
        HashingError: the file is missing, not a file, or unreadable (the usual file errors).
    """
    with checked_open(path) as (stream, _size):
        try:
            data = stream.read(TMK_FILE_SIZE + 1)  # one byte more shows trailing bytes without reading them all
        except OSError as exc:
            raise FileUnreadable() from exc
    return TmkHash.from_bytes(data)


@dataclass(frozen=True, slots=True)
class TmkMatch:
    """The outcome of comparing two videos the way Meta's ``tmk-two-level-score`` does.

    Attributes:
        level1: Cosine of the pure averages (-1..1).
        level2: Full TMK score (0..1); None when level 1 was below its threshold, so it was not computed.
        level1_threshold, level2_threshold: The thresholds the decision used.
    """

    level1: float
    level2: float | None
    level1_threshold: float
    level2_threshold: float

    @property
    def is_match(self) -> bool:
        """Both scores reach their thresholds."""
        return self.level2 is not None and self.level1 >= self.level1_threshold and self.level2 >= self.level2_threshold


def tmk_match(
    a: TmkHash,
    b: TmkHash,
    c1: float = DEFAULT_LEVEL1_THRESHOLD,
    c2: float = DEFAULT_LEVEL2_THRESHOLD,
) -> TmkMatch:
    """Score two videos with Meta's two-level rule: level 2 only if level 1 reaches ``c1``; match if both pass.

    Meta validated 0.7 / 0.7 as a relaxed candidate filter; for near-exact copies its README suggests 0.9 or more.

    Raises:
        ValueError: the hashes are not compatible.
    """
    level1 = a.level1(b)
    level2 = a.level2(b) if level1 >= c1 else None
    return TmkMatch(level1, level2, c1, c2)


# -- computing a hash ---------------------------------------------------------------------------------------


def pdqf_feature(rgb64: np.ndarray) -> np.ndarray:
    """PDQF of a 64x64 RGB frame: float32 luma, then the 16x16 DCT block without DC, flattened row-major.

    PDQ skips its blur and decimation for 64x64 input, so this is the block ``pdqFloat256FromFloatLuma`` gives
    for the frame. Computed as two matrix products (:func:`hashing.pdq.fast_dct16`, no BLAS): equal to the
    reference up to float rounding (~1e-5 relative), which TMK's cosine-based scores cannot see.

    Raises:
        ValueError: the frame is not 64x64 uint8 RGB.
    """
    if rgb64.shape[:2] != (FRAME_SIZE, FRAME_SIZE):
        raise ValueError(f"PDQF needs a 64x64 frame, got {rgb64.shape}")
    return fast_dct16(luma(rgb64)).ravel()


def squash_to_64(frame: np.ndarray) -> np.ndarray:
    """Resize a ``(H, W, 3)`` uint8 frame to 64x64 (aspect ratio not kept) the way ``ffmpeg -s 64:64`` does.

    ffmpeg's scaler defaults to bicubic, antialiased when shrinking (its filter widens with the scale factor).
    Pillow's bicubic does the same; ``reducing_gap=3`` first box-averages by an integer factor, leaving at
    least a 3x bicubic step, which makes it 2-4x faster on HD and 4K frames without moving the result.
    Measured on Meta's sample videos against the reference hashes (TMK level 1 / relative error of the
    average feature): this 0.99997-0.99999 / 0.005, OpenCV's INTER_AREA 0.99994-0.99997 / 0.010, a
    hand-written swscale bicubic (B=0, C=0.6) the same as this. Non-antialiased filters (INTER_CUBIC,
    INTER_LINEAR) are much worse (TMK.md section 7).
    """
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(frame))  # read as RGB; channel order does not matter here
    return np.asarray(image.resize((FRAME_SIZE, FRAME_SIZE), Image.Resampling.BICUBIC, reducing_gap=3.0))


@dataclass(slots=True)
class _DecodedFrame:
    """A decoded frame waiting for ffmpeg's decision: its pixels until its feature is computed, then the feature."""

    pts_s: float
    pixels: Any
    feature: np.ndarray | None = None


# Longest run of identical frames added one by one (as the reference does); longer runs use closed-form sums.
_MAX_LITERAL_REPEATS = 16


class TmkAccumulator:
    """Builds a TMK+PDQF hash from a video's decoded frames, one at a time, in constant memory.

    The decoding pass feeds every decoded frame, in presentation order, with its timestamp. The accumulator
    picks the frames ffmpeg 4.1's ``-r 15`` would keep (repeating or dropping as ffmpeg does), squashes each to
    64x64, applies the display rotation, and adds its PDQF to the running sums. Nothing per frame is kept but
    the latest frame's feature, which waits for the next timestamp (ffmpeg's choice depends on its duration).

    Args:
        source_fps: The video stream's nominal frame rate (0, NaN or infinity if the container does not say).
            ffmpeg falls back on it when a frame's own duration rounds to zero 15-fps ticks (as at 30 fps).
        rotation_degrees: Clockwise rotation a player applies to show the video upright (the display-matrix
            angle): 0, 90, 180 or 270. ffmpeg auto-rotates before scaling, so the reference hashes the upright
            picture.
        squash: Turns what :meth:`add` is given into the 64x64 uint8 RGB frame, not rotated. By default
            ``add`` takes ``(H, W, 3)`` uint8 BGR arrays, squashed with :func:`squash_to_64`;
            the video pass gives PyAV frames and has FFmpeg's scaler squash them, as the reference's ffmpeg does.
    """

    def __init__(
        self, source_fps: float, rotation_degrees: int = 0, squash: Callable[[Any], np.ndarray] | None = None
    ) -> None:
        if isinstance(rotation_degrees, bool) or int(rotation_degrees) != rotation_degrees or rotation_degrees % 90:
            raise ValueError(f"rotation must be a multiple of 90 degrees, got {rotation_degrees}")
        self._quarter_turns = int(rotation_degrees) % 360 // 90
        self._squash = squash
        self._resampler = CfrResampler(FRAMES_PER_SECOND, float(source_fps))
        self._known_interval_s = 1.0 / source_fps if 0 < source_fps < math.inf else None
        self._nominal_interval_s = self._known_interval_s or 1.0 / FRAMES_PER_SECOND
        shape = (len(PERIODS), len(FOURIER_COEFFICIENTS), FEATURE_DIMENSION)
        self._feature_sum = np.zeros(FEATURE_DIMENSION, np.float32)
        self._cos = np.zeros(shape, np.float32)
        self._sin = np.zeros(shape, np.float32)
        self._count = 0
        # 2 pi j, then (2 pi j * t) / T: the reference's order of operations, in double precision.
        self._two_pi_j = 2.0 * np.pi * np.arange(len(FOURIER_COEFFICIENTS), dtype=np.float64)
        self._periods = np.asarray(PERIODS, np.float64)[:, None]
        # ffmpeg decides a frame's copies knowing its duration, i.e. the next frame's timestamp, so each frame
        # waits here until the next one arrives; then the one before it may still be repeated to fill a gap.
        self._pending: _DecodedFrame | None = None
        self._previous: _DecodedFrame | None = None
        self._last_interval_s: float | None = None
        self._result: TmkHash | None = None
        self._finished = False

    @property
    def frame_count(self) -> int:
        """Resampled (15-fps) frames added to the hash so far (the latest decoded frame is still pending)."""
        return self._count

    def add(self, frame_bgr: Any, pts_s: float) -> None:
        """Add one decoded frame.

        Args:
            frame_bgr: The full-size decoded frame, ``(H, W, 3)`` uint8 in BGR order, not rotated (or
                whatever the ``squash`` given to the constructor takes). The accumulator may keep a reference to
                it (never writing to it) until the next call or two, so pass a new one for each frame, as
                PyAV's decoder does.
            pts_s: Its presentation time in seconds. If it is missing (NaN or infinite), the previous one plus
                the nominal frame interval is assumed, as a player would show the frame.

        Raises:
            ValueError: the frame is not an ``(H, W, 3)`` uint8 array.
            RuntimeError: ``finish`` was already called.
        """
        if self._finished:
            raise RuntimeError("this TMK accumulator is finished; start a new one for another video")
        if self._squash is None and not _is_colour_frame(frame_bgr):
            raise ValueError(f"expected an (H, W, 3) uint8 BGR frame, got {getattr(frame_bgr, 'shape', frame_bgr)!r}")
        pts_s = float(pts_s)
        if not math.isfinite(pts_s):
            pts_s = self._pending.pts_s + self._nominal_interval_s if self._pending else 0.0
        if self._pending is not None:
            self._last_interval_s = pts_s - self._pending.pts_s
            self._decide(self._pending, self._last_interval_s)
        frame = _DecodedFrame(pts_s, frame_bgr)
        if self._resampler.surely_kept(pts_s):
            # Most frames ffmpeg keeps are known to be kept already: squash them now and let the pixels go.
            # The others (at 30 fps, every other frame) are only squashed if a gap after them calls for it.
            self._feature_of(frame)
        self._pending = frame

    def finish(self) -> TmkHash | None:
        """Normalise the sums into the hash (Meta's ``finishFrameFeatureIngest``). Calling it again is harmless.

        Returns:
            The hash, or None when no frame was added (nothing to fingerprint).
        """
        if not self._finished:
            self._finished = True
            if self._pending is not None:
                # The container's duration of the last frame is not in the timestamps; MP4 writers use the
                # nominal frame interval (or repeat the previous one, the fallback when the rate is unknown).
                self._decide(self._pending, self._known_interval_s or self._last_interval_s)
                self._pending = None
                tail = self._resampler.flush()
                if tail.previous and self._previous is not None:
                    self._ingest(self._feature_of(self._previous), tail.first_index, tail.previous)
                self._previous = None
            if self._count:
                self._result = self._build_hash()
        return self._result

    def _decide(self, frame: _DecodedFrame, duration_s: float | None) -> None:
        copies = self._resampler.add(frame.pts_s, duration_s)
        if copies.skipped:
            return  # ffmpeg ignores the frame entirely, and keeps the one before as "previous"
        if copies.previous and self._previous is not None:
            self._ingest(self._feature_of(self._previous), copies.first_index, copies.previous)
        if copies.current:
            self._ingest(self._feature_of(frame), copies.first_index + copies.previous, copies.current)
        self._previous = frame

    def _feature_of(self, frame: _DecodedFrame) -> np.ndarray:
        if frame.feature is None:
            frame.feature = self._frame_feature(frame.pixels)
            frame.pixels = None
        return frame.feature

    def _frame_feature(self, frame: Any) -> np.ndarray:
        small = squash_to_64(frame)[:, :, ::-1] if self._squash is None else self._squash(frame)  # RGB
        if self._quarter_turns:
            # Squashing to a square commutes with quarter turns, so rotating 64x64 pixels is the cheap way.
            small = np.rot90(small, k=-self._quarter_turns)  # clockwise
        return pdqf_feature(small)

    def _ingest(self, feature: np.ndarray, first_index: int, copies: int) -> None:
        """Add ``copies`` copies of one frame feature at resampled indices first_index, first_index + 1, ..."""
        feature64 = feature.astype(np.float64)
        norm = math.sqrt(float(np.sum(feature64 * feature64)))  # NumPy's own sum, not a BLAS dot product
        unit = (feature / np.float32(norm)) if norm > 0 else np.zeros_like(feature)
        unit64 = unit.astype(np.float64)
        if copies <= _MAX_LITERAL_REPEATS:
            for t in range(first_index, first_index + copies):
                self._feature_sum += feature
                angles = (self._two_pi_j * t) / self._periods  # (periods, coefficients)
                # float32 += double, as the C++ does: sum in float64, then round into the float32 accumulator.
                np.add(self._cos, np.cos(angles)[:, :, None] * unit64, out=self._cos, casting="unsafe")
                np.add(self._sin, np.sin(angles)[:, :, None] * unit64, out=self._sin, casting="unsafe")
        else:
            np.add(self._feature_sum, feature.astype(np.float64) * copies, out=self._feature_sum, casting="unsafe")
            cos_sum, sin_sum = self._trig_sums(first_index, copies)
            np.add(self._cos, cos_sum[:, :, None] * unit64, out=self._cos, casting="unsafe")
            np.add(self._sin, sin_sum[:, :, None] * unit64, out=self._sin, casting="unsafe")
        self._count += copies

    def _trig_sums(self, first_index: int, copies: int) -> tuple[np.ndarray, np.ndarray]:
        """sum over t = first..first+copies-1 of cos and sin(w t), w = 2 pi j / T, in closed form."""
        omega = self._two_pi_j / self._periods
        half = omega / 2
        middle = omega * (first_index + (copies - 1) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.sin(copies * half) / np.sin(half)
        ratio = np.where(np.abs(np.sin(half)) < 1e-12, float(copies), ratio)
        return ratio * np.cos(middle), ratio * np.sin(middle)

    def _build_hash(self) -> TmkHash:
        coefficients = np.asarray(FOURIER_COEFFICIENTS, np.float32)
        average = self._feature_sum / np.float32(self._count)
        scale = np.sqrt(coefficients)[None, :, None]  # float32 sqrt, as std::sqrt(float)
        return TmkHash(
            algorithm=TmkAlgorithm.PDQF,
            fps=FRAMES_PER_SECOND,
            periods=np.asarray(PERIODS, np.int32),
            coefficients=coefficients,
            frame_count=self._count,
            average=average,
            cos=_normalise_rows(self._cos) * scale,
            sin=_normalise_rows(self._sin) * scale,
        )


def _is_colour_frame(frame: object) -> bool:
    return (
        isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        and frame.shape[0] > 0 and frame.shape[1] > 0
    )  # fmt: skip


def _normalise_rows(features: np.ndarray) -> np.ndarray:
    """Each [period, coefficient] vector divided by its length; all-zero vectors stay zero."""
    squares = np.square(features.astype(np.float64))
    norms = np.sqrt(np.sum(squares, axis=-1, keepdims=True)).astype(np.float32)  # as np.linalg.norm does it
    return np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)
