"""What every session shares: the job pools, the backend, and dropping a previous person's late results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, SignalInstance

from ..backend import Backend
from ..jobs import Job, JobContext, JobRunner
from ..messages import describe_error

__all__ = ["Session"]

T = TypeVar("T")


class Session(QObject):
    """One part of a person's journey that queues jobs and reports their outcome by signals.

    Args:
        backend: does the blocking work.
        runner: the job pools, shared by every session of the app.
    """

    def __init__(self, backend: Backend, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.runner = runner
        self._generation = 0

    def reset(self) -> None:
        """Forgets the previous person: results of jobs queued before now are ignored when they arrive."""
        self._generation += 1

    def _guard(self, slot: Callable[..., None]) -> Callable[..., None]:
        """Wraps a job callback so it is dropped if the person started over since the job was queued."""
        generation = self._generation

        def guarded(*args: Any) -> None:
            if generation == self._generation:
                slot(*args)

        return guarded

    def _queue(
        self,
        work: Callable[[JobContext], T],
        *,
        done: Callable[[T], None],
        failed: SignalInstance,
        progress: Callable[[float], None] | None = None,
        pool: Callable[..., Job] | None = None,
    ) -> None:
        """Queues ``work``; its value goes to ``done``, and a failure, in words for the person, to ``failed``.

        Args:
            pool: ``runner.hashing`` or ``runner.network`` (the default: one at a time, in order; also used
                for the person's own small file writes).
        """
        (pool or self.runner.network)(
            work,
            on_done=self._guard(done),
            on_failed=self._guard(lambda error: failed.emit(describe_error(error))),
            on_progress=self._guard(progress) if progress is not None else None,
        )
