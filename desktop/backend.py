"""The one seam between the app and the libraries that do the work: ``hashing`` and ``client_api``.

Every method blocks and is called from a job on a worker thread, never from a widget. The sessions talk to
this small surface, typed with the libraries' own results and errors, which keeps the app's logic testable
with a stand-in that returns the same types (``tests/desktop/desktop_stubs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Types only: importing hashing loads numpy and the decoders, which the window does not need to open.
    from client_api import CaseCredentials, CaseStatus, IntakeClient, Item, Program
    from hashing import ImageFingerprints, VideoFingerprints

__all__ = ["Backend", "IntakeBackend"]


class Backend(Protocol):
    """What the app needs done, as blocking calls. :class:`IntakeBackend` is the real one.

    Failures are raised as ``hashing``'s and ``client_api``'s own errors (``hashing.Cancelled`` when the
    ``cancel`` event stopped the work).
    """

    def expand(self, paths: Sequence[Path]) -> list[Path]:
        """The photos and videos among ``paths`` and inside the folders among them."""
        ...

    def fingerprint(
        self, path: Path, cancel: Event, progress: Callable[[float], None]
    ) -> ImageFingerprints | VideoFingerprints: ...

    def to_items(self, fingerprints: Sequence[ImageFingerprints | VideoFingerprints]) -> list[Item]:
        """What is sent for each file: fingerprints only."""
        ...

    def new_case_key(self) -> str: ...

    def new_idempotency_key(self) -> str:
        """A key that makes a retried submission safe: the service answers it once."""
        ...

    def payload_text(self, program: Program, items: Sequence[Item], *, new_case: bool) -> str: ...

    def create_case(
        self, program: Program, items: Sequence[Item], *, case_key: str, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> CaseStatus: ...

    def add_items(
        self, credentials: CaseCredentials, items: Sequence[Item], *, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> CaseStatus: ...

    def status(self, credentials: CaseCredentials) -> CaseStatus: ...

    def withdraw(self, credentials: CaseCredentials) -> CaseStatus: ...

    def save_bundle(self, path: Path, program: Program, items: Sequence[Item]) -> None: ...

    def remember(self, credentials: CaseCredentials) -> None: ...

    def forget(self, credentials: CaseCredentials) -> None: ...

    def recall(self) -> list[CaseCredentials]:
        """Cases remembered in this computer's keyring, oldest first."""
        ...


class IntakeBackend:
    """Fingerprints with ``hashing`` and talks to the intake service at ``intake_url`` with ``client_api``.

    The libraries are imported by the methods that use them, so the window opens before the decoders load.

    Args:
        intake_url: the service's base URL (https, or http on loopback for the demo).
        vpdq_every: seconds between fingerprinted video frames.
    """

    def __init__(self, intake_url: str, *, vpdq_every: float = 1.0) -> None:
        self.intake_url = intake_url
        self.vpdq_every = vpdq_every

    def expand(self, paths: Sequence[Path]) -> list[Path]:
        from hashing import iter_media_paths

        return list(iter_media_paths(paths))

    def fingerprint(
        self, path: Path, cancel: Event, progress: Callable[[float], None]
    ) -> ImageFingerprints | VideoFingerprints:
        from hashing import hash_file

        return hash_file(path, vpdq_every=self.vpdq_every, tmk=True, cancel=cancel, progress=progress)

    def to_items(self, fingerprints: Sequence[ImageFingerprints | VideoFingerprints]) -> list[Item]:
        from .fingerprints import to_items

        return list(to_items(list(fingerprints)))

    def new_case_key(self) -> str:
        from client_api import new_case_key

        return new_case_key()

    def new_idempotency_key(self) -> str:
        from client_api import new_idempotency_key

        return new_idempotency_key()

    def payload_text(self, program: Program, items: Sequence[Item], *, new_case: bool) -> str:
        from client_api import payload_preview

        from .about import __version__

        return payload_preview(items, program=program if new_case else None, client_version=__version__)

    def _client(self) -> IntakeClient:
        from client_api import IntakeClient

        from .about import __version__

        return IntakeClient(self.intake_url, client_version=__version__)

    def create_case(
        self, program: Program, items: Sequence[Item], *, case_key: str, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> CaseStatus:
        with self._client() as client:
            return client.create_case(
                program, list(items), case_key=case_key, idempotency_key=idempotency_key, cancel=cancel,
                progress=progress,
            )

    def add_items(
        self, credentials: CaseCredentials, items: Sequence[Item], *, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> CaseStatus:
        with self._client() as client:
            return client.add_items(
                credentials, list(items), idempotency_key=idempotency_key, cancel=cancel, progress=progress
            )

    def status(self, credentials: CaseCredentials) -> CaseStatus:
        with self._client() as client:
            return client.status(credentials)

    def withdraw(self, credentials: CaseCredentials) -> CaseStatus:
        with self._client() as client:
            return client.withdraw(credentials)

    def save_bundle(self, path: Path, program: Program, items: Sequence[Item]) -> None:
        from client_api import save_bundle

        save_bundle(path, program, list(items))

    def remember(self, credentials: CaseCredentials) -> None:
        from client_api import keystore

        keystore.remember(credentials)

    def forget(self, credentials: CaseCredentials) -> None:
        from client_api import keystore

        keystore.forget(credentials.case_number)

    def recall(self) -> list[CaseCredentials]:
        from client_api import keystore

        return list(keystore.recall())
