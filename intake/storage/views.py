"""What storage hands back: frozen records, and the JSON a person or platform sees of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import CaseState, FeedbackValue, HashStatus, Program, SignalType

__all__ = [
    "FeedRow",
    "FetchPage",
    "IdempotentAnswer",
    "PlatformAccount",
    "PlatformKeys",
    "StoredCaseKey",
]


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """What a write answered; ``replayed`` when it is the stored answer to an earlier identical request."""

    status_code: int
    body: dict[str, object]
    replayed: bool


@dataclass(frozen=True, slots=True)
class StoredCaseKey:
    case_id: int
    key_hash: str


@dataclass(frozen=True, slots=True)
class PlatformKeys:
    """A new platform's credentials; shown once, stored only as digests."""

    name: str
    subscription_key: str
    function_key: str
    signal_types: tuple[SignalType, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "subscription_key": self.subscription_key,
            "function_key": self.function_key,
            "signal_types": [t.value for t in self.signal_types],
        }


@dataclass(frozen=True, slots=True)
class PlatformAccount:
    id: int
    name: str
    function_digest: str
    signal_types: frozenset[SignalType]


@dataclass(frozen=True, slots=True)
class FeedRow:
    id: int
    change_seq: int
    signal_type: SignalType
    hash_value: str
    modified_on: dt.date
    case_refs: dict[str, HashStatus]
    feedbacks: tuple[tuple[FeedbackValue, tuple[str, ...], str], ...]  # (value, tags, platform name)


@dataclass(frozen=True, slots=True)
class FetchPage:
    rows: tuple[FeedRow, ...]
    has_more: bool
