"""Comparing fingerprints the way platforms do: Hamming distance, and Meta's vPDQ rule for two videos.

vPDQ treats a video as a bag of frame hashes. Two videos match when enough of one's good frames have a close
frame in the other (``vpdq/README.md``; python-threatexchange ``vpdq_brute_matcher.py``, which Meta's
Hasher-Matcher-Actioner runs). Also here: reading and writing the text format of Meta's ``vpdq`` tools
(``frame,quality,hash,timestamp``), so hashes can be checked against theirs.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .results import MATCHABLE_QUALITY, PdqHash, VpdqFrame

__all__ = [
    "VPDQ_COMPARED_MATCH_PERCENT",
    "VPDQ_DISTANCE_THRESHOLD",
    "VPDQ_QUALITY_THRESHOLD",
    "VPDQ_QUERY_MATCH_PERCENT",
    "VpdqConvention",
    "VpdqMatch",
    "distance_matrix",
    "format_vpdq_text",
    "hamming_distance",
    "match_vpdq",
    "parse_vpdq_text",
]

#: Frames at most this far apart (in bits) are the same picture (threatexchange ``VPDQ_DISTANCE_THRESHOLD``).
VPDQ_DISTANCE_THRESHOLD = 31
#: Frames below this quality are left out of matching (``VPDQ_QUALITY_THRESHOLD``).
VPDQ_QUALITY_THRESHOLD = MATCHABLE_QUALITY
#: Share of the query's frames that must be found in the other video (``VPDQ_QUERY_MATCH_THRESHOLD_PERCENT``).
VPDQ_QUERY_MATCH_PERCENT = 80.0
#: Share of the other video's frames that must be found in the query (``VPDQ_INDEX_MATCH_THRESHOLD_PERCENT``).
VPDQ_COMPARED_MATCH_PERCENT = 0.0

# Bound on the temporary distance block (query rows x compared frames), so hour-long videos stay in memory.
_BLOCK_CELLS = 1 << 21


class VpdqConvention(enum.Enum):
    """The two ways Meta's own code applies the vPDQ rule; they differ only at the edges."""

    #: python-threatexchange and the README: drop repeated identical hashes, match when distance <= threshold.
    THREATEXCHANGE = "threatexchange"
    #: The C++ tools (``match-hashes-brute``): keep repeats, match when distance < threshold.
    CPP = "cpp"


@dataclass(frozen=True, slots=True)
class VpdqMatch:
    """How much of two videos matched under vPDQ's rule."""

    query_match_percent: float  #: share of the query's kept frames with a close frame in the compared video
    compared_match_percent: float  #: share of the compared video's kept frames with a close query frame
    query_frames: int  #: query frames kept after the quality filter (and, by convention, de-duplication)
    compared_frames: int
    is_match: bool  #: both percentages reached their thresholds


def hamming_distance(a: PdqHash | bytes | str, b: PdqHash | bytes | str) -> int:
    """Number of differing bits between two 256-bit PDQ hashes, given as ``PdqHash``, 32 bytes or 64 hex digits."""
    first, second = _digest(a), _digest(b)
    return (int.from_bytes(first, "big") ^ int.from_bytes(second, "big")).bit_count()


def distance_matrix(rows: Sequence[PdqHash], columns: Sequence[PdqHash]) -> np.ndarray:
    """All pairwise Hamming distances, ``len(rows) x len(columns)`` (uint16). Mind the size for long lists."""
    return np.concatenate(
        list(_distance_blocks(_pack(rows), _pack(columns))) or [np.zeros((0, len(columns)), np.uint16)]
    )


def match_vpdq(
    query: Iterable[VpdqFrame],
    compared: Iterable[VpdqFrame],
    *,
    distance_threshold: int = VPDQ_DISTANCE_THRESHOLD,
    quality_threshold: int = VPDQ_QUALITY_THRESHOLD,
    query_match_percent: float = VPDQ_QUERY_MATCH_PERCENT,
    compared_match_percent: float = VPDQ_COMPARED_MATCH_PERCENT,
    convention: VpdqConvention = VpdqConvention.THREATEXCHANGE,
) -> VpdqMatch:
    """Compare two videos' vPDQ hashes as Meta's matcher does.

    Each side keeps its frames of quality >= ``quality_threshold`` (under ``THREATEXCHANGE`` first dropping
    repeats of an identical hash, keeping the first, as ``match_VPDQ_hash_brute`` does). A kept frame counts
    as found when some kept frame of the other side is within ``distance_threshold`` bits. With nothing kept
    on a side both percentages are 0 (Meta's C++ does the same; threatexchange divides by zero).

    Raises:
        ValueError: a threshold is outside its range.
    """
    if not 0 <= distance_threshold <= 256:
        raise ValueError(f"distance_threshold is 0..256 bits, got {distance_threshold}")
    if not 0 <= quality_threshold <= 100:
        raise ValueError(f"quality_threshold is 0..100, got {quality_threshold}")
    percentages = {"query_match_percent": query_match_percent, "compared_match_percent": compared_match_percent}
    for name, value in percentages.items():
        if not 0 <= value <= 100:
            raise ValueError(f"{name} is 0..100, got {value}")
    unique = convention is VpdqConvention.THREATEXCHANGE
    kept_query = _kept(query, quality_threshold, unique)
    kept_compared = _kept(compared, quality_threshold, unique)
    if not kept_query or not kept_compared:
        return VpdqMatch(0.0, 0.0, len(kept_query), len(kept_compared), False)
    limit = distance_threshold if unique else distance_threshold - 1  # "<= D" versus "< D"
    query_found = np.zeros(len(kept_query), dtype=bool)
    compared_found = np.zeros(len(kept_compared), dtype=bool)
    start = 0
    for block in _distance_blocks(_pack(kept_query), _pack(kept_compared)):
        close = block <= limit
        query_found[start : start + len(block)] = close.any(axis=1)
        compared_found |= close.any(axis=0)
        start += len(block)
    query_percent = 100.0 * int(query_found.sum()) / len(kept_query)
    compared_percent = 100.0 * int(compared_found.sum()) / len(kept_compared)
    return VpdqMatch(
        query_percent,
        compared_percent,
        len(kept_query),
        len(kept_compared),
        query_percent >= query_match_percent and compared_percent >= compared_match_percent,
    )


def parse_vpdq_text(text: str) -> tuple[VpdqFrame, ...]:
    """Read the output of Meta's ``vpdq-hash-video`` / ``vpdq.computeHash`` files: ``frame,quality,hash,timestamp``.

    Blank lines are skipped; fields after the fourth are ignored, as Meta's reader does.

    Raises:
        ValueError: a line is not in that format (the message gives its number).
    """
    frames = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.strip().split(",")
        try:
            if len(fields) < 4:
                raise ValueError("expected frame,quality,hash,timestamp")
            frame, quality, timestamp = int(fields[0]), int(fields[1]), float(fields[3])
            if frame < 0 or timestamp < 0:
                raise ValueError("negative frame number or timestamp")
            frames.append(VpdqFrame(frame, timestamp, PdqHash.from_hex(fields[2].lower(), quality)))
        except ValueError as exc:
            raise ValueError(f"line {number} is not a vPDQ frame ({exc}): {line[:100]!r}") from None
    return tuple(frames)


def format_vpdq_text(frames: Iterable[VpdqFrame]) -> str:
    """Write frames in Meta's vpdq text format, one ``frame,quality,hash,timestamp`` line each (3 decimals)."""
    return "".join(f"{f.frame},{f.quality},{f.hash.hex},{f.timestamp:.3f}\n" for f in frames)


def _digest(value: PdqHash | bytes | str) -> bytes:
    if isinstance(value, PdqHash):
        return value.digest
    if isinstance(value, str):
        return PdqHash.from_hex(value).digest
    if isinstance(value, bytes | bytearray) and len(value) == 32:
        return bytes(value)
    raise TypeError(f"expected a PdqHash, 32 bytes or 64 hex digits, got {type(value).__name__}")


def _kept(frames: Iterable[VpdqFrame], quality_threshold: int, unique: bool) -> list[PdqHash]:
    hashes = [frame.hash for frame in frames]
    if unique:
        seen: set[bytes] = set()
        first_of_each = []
        for pdq in hashes:
            if pdq.digest not in seen:
                seen.add(pdq.digest)
                first_of_each.append(pdq)
        hashes = first_of_each
    return [pdq for pdq in hashes if pdq.quality >= quality_threshold]


def _pack(hashes: Sequence[PdqHash]) -> np.ndarray:
    """``n x 4`` uint64 words (byte order is irrelevant to a popcount of xor)."""
    joined = b"".join(pdq.digest for pdq in hashes)
    return np.frombuffer(joined, dtype=np.uint64).reshape(len(hashes), 4)


def _distance_blocks(rows: np.ndarray, columns: np.ndarray):
    """Yield the distance matrix a block of rows at a time."""
    step = max(1, _BLOCK_CELLS // max(1, len(columns)))
    for start in range(0, len(rows), step):
        xor = rows[start : start + step, None, :] ^ columns[None, :, :]
        yield _popcount(xor).sum(axis=2, dtype=np.uint16)


if hasattr(np, "bitwise_count"):  # numpy >= 2.0

    def _popcount(words: np.ndarray) -> np.ndarray:
        return np.bitwise_count(words)

else:
    _BYTE_BITS = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)

    def _popcount(words: np.ndarray) -> np.ndarray:
        return _BYTE_BITS[words.view(np.uint8)]
