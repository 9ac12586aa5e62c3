"""The one seam between the app and the libraries that do the work: ``hashing`` and ``client_api``.

Every method blocks and is called from a job on a worker thread, never from a widget. The controller talks
to this small surface, which keeps the app's logic testable with a stand-in that has the same methods.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from threading import Event
from typing import Any

__all__ = ["Backend", "IntakeBackend"]

class Backend:
    """What the app needs done, as blocking calls. :class:`IntakeBackend` is the real one."""

    def expand(self, paths: Sequence[Path]) -> list[Path]:
        raise NotImplementedError

    def fingerprint(self, path: Path, cancel: Event, progress: Callable[[float], None]) -> Any:
        raise NotImplementedError

    def to_items(self, fingerprints: Sequence[Any]) -> list[Any]:
        raise NotImplementedError

    def program(self, value: str) -> Any:
        """The programme object for its wire value (``under18`` or ``adult``)."""
        raise NotImplementedError

    def new_case_key(self) -> str:
        raise NotImplementedError

    def new_idempotency_key(self) -> str:
        """A key that makes a retried submission safe: the service answers it once."""
        return str(uuid.uuid4())

    def payload_text(self, program: Any, items: Sequence[Any], *, new_case: bool) -> str:
        raise NotImplementedError

    def credentials(self, case_number: str, case_key: str) -> Any:
        raise NotImplementedError

    def create_case(
        self, program: Any, items: Sequence[Any], *, case_key: str, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> Any:
        raise NotImplementedError

    def add_items(
        self, credentials: Any, items: Sequence[Any], *, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> Any:
        raise NotImplementedError

    def status(self, credentials: Any) -> Any:
        raise NotImplementedError

    def withdraw(self, credentials: Any) -> Any:
        raise NotImplementedError

    def save_bundle(self, path: Path, program: Any, items: Sequence[Any]) -> None:
        raise NotImplementedError

    def remember(self, credentials: Any) -> None:
        raise NotImplementedError

    def forget(self, credentials: Any) -> None:
        raise NotImplementedError

    def recall(self) -> list[Any]:
        """Cases remembered in this computer's keyring, oldest first."""
        raise NotImplementedError


class IntakeBackend(Backend):
    """Fingerprints with ``hashing`` and talks to the intake service at ``intake_url`` with ``client_api``.

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

    def fingerprint(self, path: Path, cancel: Event, progress: Callable[[float], None]) -> Any:
        from hashing import hash_file

        return hash_file(path, vpdq_every=self.vpdq_every, tmk=True, cancel=cancel, progress=progress)

    def to_items(self, fingerprints: Sequence[Any]) -> list[Any]:
        from .fingerprints import to_items

        return list(to_items(list(fingerprints)))

    def program(self, value: str) -> Any:
        from client_api import Program

        return Program(value)

    def new_case_key(self) -> str:
        from client_api import new_case_key

        return new_case_key()

    def payload_text(self, program: Any, items: Sequence[Any], *, new_case: bool) -> str:
        from client_api import payload_preview

        from .about import __version__

        return payload_preview(items, program=program if new_case else None, client_version=__version__)

    def credentials(self, case_number: str, case_key: str) -> Any:
        from client_api import CaseCredentials

        return CaseCredentials(case_number, case_key)

    def _client(self) -> Any:
        from client_api import IntakeClient

        from .about import __version__

        return IntakeClient(self.intake_url, client_version=__version__)

    def create_case(
        self, program: Any, items: Sequence[Any], *, case_key: str, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> Any:
        with self._client() as client:
            return client.create_case(
                program, list(items), case_key=case_key, idempotency_key=idempotency_key, cancel=cancel,
                progress=progress,
            )

    def add_items(
        self, credentials: Any, items: Sequence[Any], *, idempotency_key: str, cancel: Event,
        progress: Callable[[float], None],
    ) -> Any:
        with self._client() as client:
            return client.add_items(
                credentials, list(items), idempotency_key=idempotency_key, cancel=cancel, progress=progress
            )

    def status(self, credentials: Any) -> Any:
        with self._client() as client:
            return client.status(credentials)

    def withdraw(self, credentials: Any) -> Any:
        with self._client() as client:
            return client.withdraw(credentials)

    def save_bundle(self, path: Path, program: Any, items: Sequence[Any]) -> None:
        from client_api import save_bundle

        save_bundle(path, program, list(items))

    def remember(self, credentials: Any) -> None:
        from client_api import keystore

        keystore.remember(credentials)

    def forget(self, credentials: Any) -> None:
        from client_api import keystore

        keystore.forget(credentials.case_number)

    def recall(self) -> list[Any]:
        from client_api import keystore

        return list(keystore.recall())
