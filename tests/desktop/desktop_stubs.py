"""A stand-in backend with the real one's surface, for logic tests of the controller and the window.

It returns real ``hashing`` result types and raises real ``hashing`` errors; it only replaces decoding and the
network, so tests of ordering, cancelling, retrying and starting over run fast and without a server.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from desktop.backend import Backend
from desktop.messages import UserFacingError
from hashing.errors import Cancelled, CorruptMedia
from hashing.results import FingerprintWarning, ImageFingerprints, ImagePdq, Orientation, PdqHash, WarningCode

LOW_QUALITY_WORDS = "This picture is very plain or dark, so websites may not be able to recognise it."


class StubNetworkDown(UserFacingError):
    """Stands in for client_api's "cannot reach the service": an error with a message for the person."""


class StubKeyringBroken(UserFacingError):
    """Stands in for client_api's "the keyring cannot be used"."""


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

    def fingerprint(self, path: Path, cancel: threading.Event, progress: Callable[[float], None]) -> Any:
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

    def to_items(self, fingerprints: Sequence[Any]) -> list[Any]:
        return [{"kind": "image", "sha256": f.sha256} for f in fingerprints]

    def program(self, value: str) -> Any:
        return SimpleNamespace(value=value)

    def new_case_key(self) -> str:
        return "ABCDEFGHJKMNPQRSTVWXYZ0123"

    def payload_text(self, program: Any, items: Sequence[Any], *, new_case: bool) -> str:
        return repr((program.value, list(items), new_case))

    def credentials(self, case_number: str, case_key: str) -> Any:
        return SimpleNamespace(case_number=case_number, case_key=case_key)

    def _status(self, state: str = "active", items: int = 1) -> Any:
        return SimpleNamespace(
            case_number="ABC-DEF-GH23", program=SimpleNamespace(value="adult"), state=SimpleNamespace(value=state),
            item_count=items, feedback=(),
        )

    def create_case(self, program: Any, items: Sequence[Any], *, case_key: str, idempotency_key: str, **_: Any) -> Any:
        self.calls.append(("create_case", (case_key, idempotency_key, len(items))))
        if self.failures_before_success > 0:
            self.failures_before_success -= 1
            raise StubNetworkDown("Takeback cannot reach the service right now.")
        if self.incomplete_before_success > 0:
            self.incomplete_before_success -= 1
            error = StubNetworkDown("Your case was opened, but only some fingerprints reached it.")
            error.credentials = self.credentials("ABC-DEF-GH23", case_key)  # like client_api's IncompleteSubmission
            raise error
        return self._status(items=len(items))

    def add_items(self, credentials: Any, items: Sequence[Any], *, idempotency_key: str, **_: Any) -> Any:
        self.calls.append(("add_items", (credentials.case_number, idempotency_key, len(items))))
        return self._status(items=len(items) + 1)

    def status(self, credentials: Any) -> Any:
        self.calls.append(("status", credentials.case_number))
        return self._status()

    def withdraw(self, credentials: Any) -> Any:
        self.calls.append(("withdraw", credentials.case_number))
        return self._status("withdrawn")

    def save_bundle(self, path: Path, program: Any, items: Sequence[Any]) -> None:
        path.write_text(repr(list(items)))

    def _keyring(self, call: str, argument: Any) -> None:
        self.calls.append((call, argument))
        if self.keyring_broken:
            raise StubKeyringBroken("This computer's password store cannot be used.")

    def remember(self, credentials: Any) -> None:
        self._keyring("remember", credentials.case_number)

    def forget(self, credentials: Any) -> None:
        self._keyring("forget", credentials.case_number)

    def recall(self) -> list[Any]:
        self._keyring("recall", None)
        return [self.credentials("ABC-DEF-GH23", "ABCDEFGHJKMNPQRSTVWXYZ0123")]
