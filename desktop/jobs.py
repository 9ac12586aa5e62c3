"""Background work for the app: each job calls one blocking function on a thread pool and reports by signals.

Widgets never hash or talk to the network. The controller reads what a job needs, queues a :class:`Job` on one
of two pools (a shared pool for fingerprinting, a single-thread pool so network calls stay in order) and is
called back on the UI thread when the job reports.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from .messages import SOMETHING_WENT_WRONG, known_errors

__all__ = ["Job", "JobContext", "JobRunner", "JobSignals"]

log = logging.getLogger(__name__)

#: Progress is reported at most this often: enough for a smooth bar, not enough to flood the UI thread.
PROGRESS_INTERVAL_S = 0.1


class JobSignals(QObject):
    """What a job reports, tagged with the job's number. Created on the UI thread, so receivers that live
    there (the runner) get the signals queued onto it.

    Signals:
        progressed(int, float): fraction done, 0..1, throttled.
        done(int, object): the function's return value.
        failed(int, object): the exception, one of ``hashing``'s or ``client_api``'s (or the app's own
            ``UserFacingError``), or a ``RuntimeError`` with a kind sentence when our own code failed.
    """

    progressed = Signal(int, float)
    done = Signal(int, object)
    failed = Signal(int, object)


class JobContext:
    """Handed to a job's function: the cancel flag and a throttled progress callback."""

    def __init__(self, number: int, cancel: threading.Event, signals: JobSignals) -> None:
        self.cancel = cancel
        self._number = number
        self._signals = signals
        self._last = 0.0

    def progress(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self._signals.progressed.emit(self._number, max(0.0, min(1.0, float(fraction))))


class Job(QRunnable):
    """Calls ``fn(context)`` on a worker thread and reports exactly one of ``done`` or ``failed``."""

    def __init__(
        self, number: int, fn: Callable[[JobContext], object], cancel: threading.Event, signals: JobSignals
    ) -> None:
        super().__init__()
        # The runner keeps the Python object alive until the job reports; Qt must not delete it under us.
        self.setAutoDelete(False)
        self.number = number
        self.fn = fn
        self.cancel = cancel
        self.signals = signals

    def run(self) -> None:
        context = JobContext(self.number, self.cancel, self.signals)
        try:
            value = self.fn(context)
        except known_errors() as exc:
            self.signals.failed.emit(self.number, exc)
        except Exception:
            # Our own bug: log the traceback to stderr (never with messages, which may quote a path) and tell
            # the person calmly.
            log.exception("a background job failed")
            self.signals.failed.emit(self.number, RuntimeError(SOMETHING_WENT_WRONG))
        else:
            self.signals.done.emit(self.number, value)


@dataclass
class _Callbacks:
    job: Job
    on_done: Callable[[object], None]
    on_failed: Callable[[BaseException], None]
    on_progress: Callable[[float], None] | None


class JobRunner(QObject):
    """Owns the two pools and every job until it has reported, and calls back on the UI thread.

    Fingerprinting runs on a pool sized to leave a core for the window; network calls run one at a time so
    a case is created before anything else is asked about it.
    """

    def __init__(self, parent: QObject | None = None, *, hashing_threads: int | None = None) -> None:
        super().__init__(parent)
        self._hashing_pool = QThreadPool(self)
        self._hashing_pool.setMaxThreadCount(hashing_threads or max(1, min(3, QThread.idealThreadCount() - 1)))
        self._network_pool = QThreadPool(self)
        self._network_pool.setMaxThreadCount(1)
        self._signals = JobSignals(self)
        self._signals.progressed.connect(self._on_job_progressed)
        self._signals.done.connect(self._on_job_done)
        self._signals.failed.connect(self._on_job_failed)
        self._numbers = itertools.count(1)
        self._jobs: dict[int, _Callbacks] = {}
        self._alive: dict[int, Job] = {}  # every queued or running job, even after cancel_all, until it reports

    def hashing(
        self,
        fn: Callable[[JobContext], object],
        *,
        on_done: Callable[[object], None],
        on_failed: Callable[[BaseException], None],
        on_progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Job:
        """Queues ``fn`` on the fingerprinting pool."""
        return self._start(self._hashing_pool, fn, on_done, on_failed, on_progress, cancel)

    def network(
        self,
        fn: Callable[[JobContext], object],
        *,
        on_done: Callable[[object], None],
        on_failed: Callable[[BaseException], None],
        on_progress: Callable[[float], None] | None = None,
    ) -> Job:
        """Queues ``fn`` on the single network thread (also used for the person's own small file writes)."""
        return self._start(self._network_pool, fn, on_done, on_failed, on_progress, None)

    def _start(self, pool, fn, on_done, on_failed, on_progress, cancel) -> Job:  # noqa: ANN001
        number = next(self._numbers)
        job = Job(number, fn, cancel if cancel is not None else threading.Event(), self._signals)
        self._jobs[number] = _Callbacks(job, on_done, on_failed, on_progress)
        self._alive[number] = job
        pool.start(job)
        return job

    @Slot(int, float)
    def _on_job_progressed(self, number: int, fraction: float) -> None:
        callbacks = self._jobs.get(number)
        if callbacks is not None and callbacks.on_progress is not None:
            callbacks.on_progress(fraction)

    @Slot(int, object)
    def _on_job_done(self, number: int, value: object) -> None:
        self._alive.pop(number, None)
        callbacks = self._jobs.pop(number, None)
        if callbacks is not None:
            callbacks.on_done(value)

    @Slot(int, object)
    def _on_job_failed(self, number: int, error: object) -> None:
        self._alive.pop(number, None)
        callbacks = self._jobs.pop(number, None)
        if callbacks is not None:
            callbacks.on_failed(error)  # type: ignore[arg-type]

    def take(self, job: Job) -> bool:
        """Removes a job that has not started yet from its queue. True if it was removed (it never reports)."""
        if self._hashing_pool.tryTake(job) or self._network_pool.tryTake(job):
            self._jobs.pop(job.number, None)
            self._alive.pop(job.number, None)
            return True
        return False

    @property
    def busy(self) -> bool:
        return bool(self._alive)

    def cancel_all(self) -> None:
        """Asks every job to stop and forgets their callbacks: nothing reports after this."""
        for callbacks in list(self._jobs.values()):
            callbacks.job.cancel.set()
            self.take(callbacks.job)
        self._jobs.clear()

    def wait(self, msecs: int = -1) -> bool:
        """Waits for running jobs (at shutdown). Returns False if some were still running after ``msecs``."""
        hashing_done = self._hashing_pool.waitForDone(msecs)
        network_done = self._network_pool.waitForDone(msecs)
        return hashing_done and network_done
