"""A stand-in backend with the real one's surface, for logic tests of the sessions and the window.

It returns real ``hashing`` and ``client_api`` types and raises their real errors; it only replaces decoding,
the network and the keyring, so tests of ordering, cancelling, retrying and starting over run fast and without
a server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from client_api import (
    CaseCredentials,
    CaseState,
    CaseStatus,
    IncompleteSubmission,
    Item,
    KeystoreUnavailable,
    Program,
    ServiceUnavailable,
    payload_preview,
)
from desktop.backend import Backend
from desktop.fingerprints import to_items
from hashing.errors import Cancelled, CorruptMedia
from hashing.results import (
    FingerprintWarning,
    ImageFingerprints,
    ImagePdq,
    Orientation,
    PdqHash,
    VideoFingerprints,
    WarningCode,
)

LOW_QUALITY_WORDS = "This picture is very plain or dark, so websites may not be able to recognise it."
CASE_NUMBER = "ABC-DEF-GH2G"  # its check character is right
CASE_KEY = "ABCDEFGHJKMNPQRSTVWXYZ0123"


@dataclass
class StubBackend(Backend):
    """Files named ``*broken*`` fail as damaged, ``*dark*`` get a low-quality warning, ``*slow*`` files take
    until cancelled (or 10 s)."""

    failures_before_success: int = 0
    incomplete_before_success: int = 0
    calls: list[tuple[str, Any]] = field(default_factory=list)
    release_slow: threading.Event = field(default_factory=threading.Event)
    keyring_broken: bool = False

    def expand(self, paths: Sequence[Path]) -> list[Path]:
        found: list[Path] = []
        for path in paths:
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
        return found

    def fingerprint(
        self, path: Path, cancel: threading.Event, progress: Callable[[float], None]
    ) -> ImageFingerprints | VideoFingerprints:
        if "broken" in path.name:
            raise CorruptMedia()
        if "slow" in path.name:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not self.release_slow.is_set():
                if cancel.is_set():
                    raise Cancelled()
                progress(0.5)
                time.sleep(0.01)
        if cancel.is_set():
            raise Cancelled()
        digest = hashlib.sha256(path.name.encode()).digest()
        progress(1.0)
        dark = "dark" in path.name
        return ImageFingerprints(
            md5=digest[:16].hex(),
            sha256=digest.hex(),
            pdq=(ImagePdq(PdqHash(digest, 20 if dark else 100), Orientation.DISPLAY),),
            phash="0" * 16,
            warnings=(FingerprintWarning(WarningCode.LOW_QUALITY, LOW_QUALITY_WORDS),) if dark else (),
        )

    def to_items(self, fingerprints: Sequence[ImageFingerprints | VideoFingerprints]) -> list[Item]:
        return list(to_items(list(fingerprints)))

    def new_case_key(self) -> str:
        return CASE_KEY

    def new_idempotency_key(self) -> str:
        return str(uuid.uuid4())

    def payload_text(self, program: Program, items: Sequence[Item], *, new_case: bool) -> str:
        return payload_preview(items, program=program if new_case else None)

    def _status(self, state: CaseState = CaseState.ACTIVE, items: int = 1) -> CaseStatus:
        today = dt.date.today()
        return CaseStatus(
            case_number=CASE_NUMBER, program=Program.ADULT, state=state, created_on=today, updated_on=today,
            item_count=items, fingerprint_count=3 * items,
        )

    def create_case(
        self, program: Program, items: Sequence[Item], *, case_key: str, idempotency_key: str, **_: Any
    ) -> CaseStatus:
        self.calls.append(("create_case", (case_key, idempotency_key, len(items))))
        if self.failures_before_success > 0:
            self.failures_before_success -= 1
            raise ServiceUnavailable("Takeback cannot reach the service right now.")
        if self.incomplete_before_success > 0:
            self.incomplete_before_success -= 1
            raise IncompleteSubmission(CaseCredentials(CASE_NUMBER, case_key), sent=0, total=len(items))
        return self._status(items=len(items))

    def add_items(
        self, credentials: CaseCredentials, items: Sequence[Item], *, idempotency_key: str, **_: Any
    ) -> CaseStatus:
        self.calls.append(("add_items", (credentials.case_number, idempotency_key, len(items))))
        return self._status(items=len(items) + 1)

    def status(self, credentials: CaseCredentials) -> CaseStatus:
        self.calls.append(("status", credentials.case_number))
        return self._status()

    def withdraw(self, credentials: CaseCredentials) -> CaseStatus:
        self.calls.append(("withdraw", credentials.case_number))
        return self._status(CaseState.WITHDRAWN)

    def save_bundle(self, path: Path, program: Program, items: Sequence[Item]) -> None:
        path.write_text(repr(list(items)))

    def _keyring(self, call: str, argument: str | None) -> None:
        self.calls.append((call, argument))
        if self.keyring_broken:
            raise KeystoreUnavailable()

    def remember(self, credentials: CaseCredentials) -> None:
        self._keyring("remember", credentials.case_number)

    def forget(self, credentials: CaseCredentials) -> None:
        self._keyring("forget", credentials.case_number)

    def recall(self) -> list[CaseCredentials]:
        self._keyring("recall", None)
        return [CaseCredentials(CASE_NUMBER, CASE_KEY)]
