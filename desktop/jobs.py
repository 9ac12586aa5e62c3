"""Background work for the app: each job calls one blocking function on a thread pool and reports by signals.

Widgets never hash or talk to the network. The controller reads what a job needs, queues a :class:`Job` on one
of two pools (a shared pool for fingerprinting, a single-thread pool so network calls stay in order) and
listens to its signals, which Qt delivers on the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from .messages import SOMETHING_WENT_WRONG, known_errors

__all__ = ["Job", "JobContext", "JobRunner", "JobSignals"]

log = logging.getLogger(__name__)

#: Progress is reported at most this often: enough for a smooth bar, not enough to flood the UI thread.
PROGRESS_INTERVAL_S = 0.1


class JobSignals(QObject):
    """What a job reports. Lives on the UI thread, so connected slots run there.

    Signals:
        progressed(float): fraction done, 0..1, throttled.
        done(object): the function's return value.
        failed(object): the exception, one of ``hashing``'s or ``client_api``'s, or a ``RuntimeError`` whose
            message is a kind sentence when our own code failed.
    """

    progressed = Signal(float)
    done = Signal(object)
    failed = Signal(object)


class JobContext:
    """Handed to a job's function: the cancel flag and a throttled progress callback."""

    def __init__(self, cancel: threading.Event, signals: JobSignals) -> None:
        self.cancel = cancel
        self._signals = signals
        self._last = 0.0

    def progress(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self._signals.progressed.emit(max(0.0, min(1.0, float(fraction))))


class Job(QRunnable):
    """Calls ``fn(context)`` on a worker thread and reports exactly one of ``done`` or ``failed``."""

    def __init__(self, fn: Callable[[JobContext], object], cancel: threading.Event | None = None) -> None:
        super().__init__()
        # The runner keeps the Python object alive until the job reports; Qt must not delete it under us.
        self.setAutoDelete(False)
        self.fn = fn
        self.cancel = cancel if cancel is not None else threading.Event()
        self.signals = JobSignals()

    def run(self) -> None:
        context = JobContext(self.cancel, self.signals)
        try:
            value = self.fn(context)
        except known_errors() as exc:
            self.signals.failed.emit(exc)
        except Exception:
            # Our own bug: log the traceback to stderr (messages never name files) and tell the person calmly.
            log.exception("a background job failed")
            self.signals.failed.emit(RuntimeError(SOMETHING_WENT_WRONG))
        else:
            self.signals.done.emit(value)


class JobRunner(QObject):
    """Owns the two pools and every job until it has reported.

    Fingerprinting runs on a pool sized to leave a core for the window; network calls run one at a time so
    a case is created before items are added to it.
    """

    def __init__(self, parent: QObject | None = None, *, hashing_threads: int | None = None) -> None:
        super().__init__(parent)
        self._hashing_pool = QThreadPool(self)
        self._hashing_pool.setMaxThreadCount(hashing_threads or max(1, min(3, QThread.idealThreadCount() - 1)))
        self._network_pool = QThreadPool(self)
        self._network_pool.setMaxThreadCount(1)
        self._jobs: set[Job] = set()

    def hashing(self, fn: Callable[[JobContext], object], cancel: threading.Event | None = None) -> Job:
        return self._start(self._hashing_pool, Job(fn, cancel))

    def network(self, fn: Callable[[JobContext], object]) -> Job:
        return self._start(self._network_pool, Job(fn))

    def _start(self, pool: QThreadPool, job: Job) -> Job:
        self._jobs.add(job)
        job.signals.done.connect(lambda _value, job=job: self._jobs.discard(job))
        job.signals.failed.connect(lambda _error, job=job: self._jobs.discard(job))
        pool.start(job)
        return job

    def take(self, job: Job) -> bool:
        """Removes a job that has not started yet from its queue. True if it was removed (it never reports)."""
        if self._hashing_pool.tryTake(job) or self._network_pool.tryTake(job):
            self._jobs.discard(job)
            return True
        return False

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        """Asks every job to stop; jobs not yet started are dropped from the queues."""
        for job in list(self._jobs):
            job.cancel.set()
            self.take(job)

    def wait(self, msecs: int = -1) -> bool:
        """Waits for running jobs (at shutdown). Returns False if some were still running after ``msecs``."""
        hashing_done = self._hashing_pool.waitForDone(msecs)
        network_done = self._network_pool.waitForDone(msecs)
        return hashing_done and network_done
