"""Request and response bodies of the wire protocol (docs/protocol.md), with their size and count limits.

Person-facing bodies refuse unknown fields, so a client can never slip a file name or anything else the
protocol does not name into the database.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .errors import IntakeErrorCode
from .identifiers import is_weak_case_key, normalise_case_key
from .model import CaseState, FeedbackValue, HashStatus, Program, SignalType

__all__ = [
    "MAX_ITEMS_PER_REQUEST",
    "MAX_PDQ_PER_IMAGE",
    "MAX_VPDQ_FRAMES_PER_VIDEO",
    "TMK_FILE_BYTES",
    "AddItemsRequest",
    "CaseStatusBody",
    "ChallengeBody",
    "CreateCaseRequest",
    "ErrorBody",
    "FeedbackCount",
    "FetchHashesResponse",
    "HashFeedback",
    "HashRecord",
    "ImageItem",
    "Item",
    "SubmitFeedbackRequest",
    "SubmitFeedbackResponse",
    "VideoItem",
    "signals_of",
]

# The service's one statement of the protocol's limits. The client states them again on its side (intake imports
# none of ours); tests/client_api/test_protocol_facts.py keeps the two sides and openapi.json equal.
MAX_ITEMS_PER_REQUEST = 500
MAX_VPDQ_FRAMES_PER_VIDEO = 20_000
MAX_PDQ_PER_IMAGE = 8  #: the displayed picture and its seven turns and mirrors
MAX_FEEDBACKS_PER_REQUEST = 1_000
#: A TMK+PDQF ``.tmk`` file with Meta's fixed parameters (4 periods, 32 Fourier coefficients, 256-float
#: PDQF frame features): 12-byte magic, 5 ints, periods, coefficients, pure average, cosine and sine features.
TMK_FILE_BYTES = 12 + 5 * 4 + 4 * 4 + 32 * 4 + 256 * 4 + 2 * 4 * 32 * 256 * 4
TMK_MAGIC = b"TMK1FVECPDQF"

Md5Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
PdqHex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Quality = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PdqEntry(_Strict):
    hash: PdqHex
    quality: Quality


class VpdqEntry(_Strict):
    frame: Annotated[int, Field(ge=0, le=100_000_000)]
    timestamp: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
    hash: PdqHex
    quality: Quality


class ImageItem(_Strict):
    """One picture: exact hashes and 1 to 8 PDQ hashes (as displayed, and turned or mirrored: platforms store
    each as an ordinary ImagePDQ signal, so a turned or mirrored copy of the picture matches too)."""

    kind: Literal["image"]
    md5: Md5Hex
    sha256: Sha256Hex
    pdq: Annotated[list[PdqEntry], Field(min_length=1, max_length=MAX_PDQ_PER_IMAGE)]


class VideoItem(_Strict):
    """One video: exact hashes, vPDQ frame hashes and the TMK+PDQF file (base64) when it could be made."""

    kind: Literal["video"]
    md5: Md5Hex
    sha256: Sha256Hex
    vpdq: Annotated[list[VpdqEntry], Field(max_length=MAX_VPDQ_FRAMES_PER_VIDEO)]
    tmk: Annotated[str, StringConstraints(max_length=4 * (TMK_FILE_BYTES // 3 + 1))] | None = None

    @field_validator("tmk")
    @classmethod
    def _tmk_is_a_tmk_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("tmk must be standard base64") from None
        if len(raw) != TMK_FILE_BYTES or not raw.startswith(TMK_MAGIC):
            raise ValueError(f"tmk must be a TMK+PDQF file of {TMK_FILE_BYTES} bytes starting with TMK1FVECPDQF")
        return base64.b64encode(raw).decode("ascii")  # canonical form: one value per video, whatever the padding


Item = Annotated[ImageItem | VideoItem, Field(discriminator="kind")]
Items = Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)]


class CreateCaseRequest(_Strict):
    program: Program
    client: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._+/-]{1,64}$")]
    case_key: str
    items: Items

    @field_validator("case_key")
    @classmethod
    def _case_key_is_crockford(cls, value: str) -> str:
        normalised = normalise_case_key(value)
        if normalised is None:
            raise ValueError("case_key must be 26 characters of Crockford base32")
        if is_weak_case_key(normalised):
            raise ValueError("case_key is not random enough; make it with new_case_key() on the device")
        return normalised


class AddItemsRequest(_Strict):
    items: Items


class FeedbackCount(BaseModel):
    value: FeedbackValue
    platforms: int


class CaseStatusBody(BaseModel):
    """What a person sees about their case; platform feedback only as counts per value."""

    case_number: str
    program: Program
    state: CaseState
    created_on: dt.date
    updated_on: dt.date
    item_count: int
    fingerprint_count: int
    feedback: list[FeedbackCount]


class ChallengeBody(BaseModel):
    """A proof-of-work challenge: solve it for one request (docs/protocol.md, Proof of work)."""

    challenge: str
    work: int
    work_per_item: int
    expires_in: int


class ErrorDetail(BaseModel):
    code: IntakeErrorCode
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


# --- platform API: StopNCII hash-exchange shape (field names are theirs) ---


class CspFeedback(BaseModel):
    feedbackValue: FeedbackValue
    tags: list[str]
    source: str


class HashRecord(BaseModel):
    lastModtimestamp: int
    signalType: SignalType
    hashValue: str
    hashStatus: HashStatus
    caseNumbers: dict[str, HashStatus]
    CSPFeedbacks: list[CspFeedback]


class FetchHashesResponse(BaseModel):
    count: int
    nextPageToken: str | None
    nextSetTimestamp: int
    hasMoreRecords: bool
    hashRecords: list[HashRecord]


Tag = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$")]


class HashFeedback(BaseModel):
    model_config = ConfigDict(extra="ignore")

    hashValue: Annotated[str, StringConstraints(min_length=1, max_length=4 * (TMK_FILE_BYTES // 3 + 1))]
    feedbackValue: FeedbackValue
    tags: Annotated[list[Tag], Field(max_length=20)] = []


class SubmitFeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    count: Annotated[int, Field(ge=0)]
    hashFeedbacks: Annotated[list[HashFeedback], Field(max_length=MAX_FEEDBACKS_PER_REQUEST)]

    @model_validator(mode="after")
    def _count_matches(self) -> SubmitFeedbackRequest:
        if self.count != len(self.hashFeedbacks):
            raise ValueError("count must equal the number of hashFeedbacks")
        return self


class SubmitFeedbackResponse(BaseModel):
    count: int
    unknownHashes: int


def _vpdq_value(frames: list[VpdqEntry]) -> str:
    # python-threatexchange's vPDQ serialisation (vpdq_to_json): "hex,quality,timestamp" with the timestamp
    # to 3 significant digits, as a JSON list, so HMA and the threatexchange CLI read it unchanged.
    return json.dumps([f"{f.hash},{f.quality},{f.timestamp:.3}" for f in frames])


def signals_of(item: ImageItem | VideoItem) -> list[tuple[SignalType, str]]:
    """The hash values one item contributes to the platforms' list, each with its signal type."""
    if isinstance(item, ImageItem):
        return [
            (SignalType.IMAGE_MD5, item.md5),
            (SignalType.IMAGE_SHA256, item.sha256),
            # A repeated hash is one fingerprint: counted once, stored once.
            *((SignalType.IMAGE_PDQ, value) for value in dict.fromkeys(entry.hash for entry in item.pdq)),
        ]
    signals = [(SignalType.VIDEO_MD5, item.md5), (SignalType.VIDEO_SHA256, item.sha256)]
    if item.vpdq:
        signals.append((SignalType.VIDEO_VPDQ, _vpdq_value(item.vpdq)))
    if item.tmk is not None:
        signals.append((SignalType.VIDEO_TMK, item.tmk))
    return signals
