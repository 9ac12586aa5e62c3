"""The app's logic: one person's journey, as a fingerprinting session and a case session on shared job pools.

Widgets call the sessions; the sessions queue jobs (see :mod:`desktop.jobs`) that call the backend (``hashing``
and ``client_api``) and turn their results into model updates and signals. Everything about the person lives
in the sessions, in memory only, and :meth:`Controller.start_over` drops all of it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .backend import Backend
from .jobs import JobRunner
from .sessions import CaseSession, FingerprintingSession

__all__ = ["Controller"]


class Controller(QObject):
    """Owns one person's journey and forgets it on request.

    Args:
        backend: does the blocking work (``IntakeBackend`` in the app).
        runner: the job pools; one is made when not given.

    Attributes:
        fingerprinting: the files chosen and their fingerprints (:class:`~desktop.sessions.FingerprintingSession`).
        case: the programme, sending, and the case (:class:`~desktop.sessions.CaseSession`).

    Signals:
        was_reset(): everything of the previous person was dropped.
    """

    was_reset = Signal()

    def __init__(self, backend: Backend, runner: JobRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.runner = runner or JobRunner(self)
        self.fingerprinting = FingerprintingSession(backend, self.runner, self)
        self.case = CaseSession(backend, self.runner, self.fingerprinting, self)

    def start_over(self) -> None:
        """Drops every file, fingerprint, case detail and pending job of the previous person."""
        self.fingerprinting.reset()
        self.case.reset()
        self.runner.cancel_all()
        self.was_reset.emit()
