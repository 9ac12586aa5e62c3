"""The app's logic: what the person chose, what is being fingerprinted and sent, and the case they got back.

Widgets call the controller; the controller queues jobs (see :mod:`desktop.jobs`) that call the backend
(``hashing`` and ``client_api``) and turns their results into model updates and signals. Everything about the
person lives here, in memory only, and :meth:`Controller.start_over` drops all of it.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from .backend import Backend
from .jobs import Job, JobContext, JobRunner
from .messages import UserFacingError, describe_error
from .models import FileEntry, FileKind, FileState, ResultsModel

__all__ = ["CaseFile", "Controller", "Mode", "ReviewSummary"]


class Mode(enum.Enum):
    NEW_CASE = "new_case"  #: the journey creates a new case
    ADD_TO_CASE = "add_to_case"  #: the person checked an existing case and adds more files to it


@dataclass(frozen=True)
class ReviewSummary:
    photos: int
    videos: int
    fingerprints: int
    low_quality: int


@dataclass
class _SendPlan:
    """One send, kept across retries: a retry repeats the same request (same items, case key and idempotency
    key), so the service answers it once and never opens a second case."""

    program: Any
    entries: tuple[FileEntry, ...]
    items: list[Any]
    idempotency_key: str
    case_key: str | None = None  # only for a new case
    credentials: Any = None  # known once the case exists
    attempted: bool = False  # sent at least once: a retry must repeat exactly these items


@dataclass
class CaseFile:
    """What "save to a file" writes: the case number and key, and how to use them."""

    case_number: str
    case_key: str
    address: str = field(default="")

    def text(self) -> str:
        return (
            "Takeback case\n\n"
            f"Case number: {self.case_number}\n"
            f"Case key:    {self.case_key}\n\n"
            "Keep this file somewhere private. With the number and the key you can check your case, add more\n"
            "photos or videos to it, or withdraw it. Nobody can recover the key if it is lost.\n"
        )


def _fingerprint_count(fingerprints: Any) -> int:
    exact = 2  # MD5 and SHA-256
    # Each distinct PDQ hash is sent (and counted by the service) once; the stored view is one of the turns.
    pdq = len({entry.hash.digest for entry in (*getattr(fingerprints, "pdq", ()), *getattr(fingerprints, "dihedral", ()))})
    frames = len(getattr(fingerprints, "vpdq", ()) or ())
    tmk = 1 if getattr(fingerprints, "tmk", None) is not None else 0
    return exact + pdq + frames + tmk


def _as_sent(fingerprints: Any, dihedral: bool) -> Any:
    """The fingerprints without the turned and mirrored PDQ hashes when the person left them out."""
    if dihedral or not getattr(fingerprints, "dihedral", ()):
        return fingerprints
    return dataclasses.replace(fingerprints, dihedral=())


def _is_cancelled(error: BaseException) -> bool:
    return getattr(error, "code", None) == "cancelled"


class Controller(QObject):
    """Orchestrates one person's journey.

    Args:
        backend: does the blocking work (``IntakeBackend`` in the app).
        runner: the job pools; one is made when not given.

    Signals:
        files_added(int): how many new files were added to the list.
        files_failed(str): a chosen folder or file could not be listed.
        hashing_progressed(int, int, float): files finished, files in this run, overall fraction.
        hashing_finished(int, int): files usable, files that could not be used.
        send_progressed(int, int): steps done and steps in total (0, 0 while the length is unknown).
        sent(object): the ``CaseStatus`` after everything was sent.
        send_failed(str): why sending stopped; nothing is lost, ``send()`` again retries.
        bundle_saved(): the offline bundle was written.
        bundle_failed(str)
        case_file_saved(): the case number and key were written where the person chose.
        case_file_failed(str)
        status_loaded(object): the ``CaseStatus`` of the case that was checked.
        status_failed(str)
        withdrawn(object): the ``CaseStatus`` after withdrawing.
        withdraw_failed(str)
        remembered(): the case was stored in the system keyring.
        remember_failed(str)
        recalled(list): the cases remembered on this computer, as ``(case number, case key)`` pairs.
        preview_ready(object): a blurred ``QImage`` of one file, or None if it cannot be previewed.
        was_reset(): everything of the previous person was dropped.
    """

    files_added = Signal(int)
    files_failed = Signal(str)
    hashing_progressed = Signal(int, int, float)
    hashing_finished = Signal(int, int)
    send_progressed = Signal(int, int)
    sent = Signal(object)
    send_failed = Signal(str)
    bundle_saved = Signal()
    bundle_failed = Signal(str)
    case_file_saved = Signal()
    case_file_failed = Signal(str)
    status_loaded = Signal(object)
    status_failed = Signal(str)
    withdrawn = Signal(object)
    withdraw_failed = Signal(str)
    remembered = Signal()
    remember_failed = Signal(str)
    recalled = Signal(list)
    preview_ready = Signal(object)
    was_reset = Signal()

    def __init__(self, backend: Backend, runner: JobRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.runner = runner or JobRunner(self)
        self.files = ResultsModel(self)
        self._generation = 0
        self._clear_state()

    def _clear_state(self) -> None:
        self.program: Any = None
        self.mode = Mode.NEW_CASE
        self.credentials: Any = None
        self.case_status: Any = None
        self._plan: _SendPlan | None = None
        #: Also send each photo's PDQ turned and mirrored (the review screen's "mirrored or turned" box).
        self.dihedral = True
        self._hash_cancel = threading.Event()
        self._hash_jobs: dict[FileEntry, Job] = {}
        self._hash_run: list[FileEntry] = []

    # --- helpers -------------------------------------------------------------------------------------------
    def _guard(self, slot: Callable[..., None]) -> Callable[..., None]:
        """Wraps a job callback so results of a previous person's jobs are ignored after "Start over"."""
        generation = self._generation

        def guarded(*args: Any) -> None:
            if generation == self._generation:
                slot(*args)

        return guarded

    # --- the journey ---------------------------------------------------------------------------------------
    def choose_program(self, program: Any) -> None:
        self.program = program

    def add_paths(self, paths: Sequence[Path | str]) -> None:
        """Adds files, and the photos and videos inside folders; listing folders runs in the background."""
        chosen = [Path(p) for p in paths]
        if not chosen:
            return
        backend = self.backend

        def work(_ctx: JobContext) -> list[FileEntry]:
            # Listing folders and reading sizes can be slow (network drives, thousands of files): off the UI thread.
            entries = []
            for path in backend.expand(chosen):
                try:
                    size: int | None = path.stat().st_size
                except OSError:
                    size = None  # fingerprinting reports the reason in plain words
                entries.append(FileEntry(path=path, size=size, kind=FileKind.guess(path)))
            return entries

        self.runner.hashing(
            work,
            on_done=self._guard(self._on_expand_done),
            on_failed=self._guard(lambda error: self.files_failed.emit(describe_error(error))),
        )

    def _on_expand_done(self, entries: list[FileEntry]) -> None:
        before = self.files.rowCount()
        self.files.add(entries)
        self.files_added.emit(self.files.rowCount() - before)

    def remove_rows(self, rows: list[int]) -> None:
        if self.hashing:
            return
        self._plan = None
        self.files.remove_rows(rows)

    @property
    def hashing(self) -> bool:
        return bool(self._hash_jobs)

    def start_hashing(self) -> int:
        """Fingerprints every file not fingerprinted yet. Returns how many were queued."""
        if self.hashing:
            return 0
        todo = [e for e in self.files.entries if e.state in (FileState.WAITING, FileState.STOPPED)]
        self._hash_cancel = threading.Event()
        self._hash_run = todo
        for entry in todo:
            entry.state, entry.progress, entry.message = FileState.WAITING, 0.0, ""
            self.files.changed(entry)
            path = entry.path

            def work(ctx: JobContext, path: Path = path) -> Any:
                return self.backend.fingerprint(path, ctx.cancel, ctx.progress)

            self._hash_jobs[entry] = self.runner.hashing(
                work,
                cancel=self._hash_cancel,
                on_progress=self._guard(lambda f, e=entry: self._on_hash_progressed(e, f)),
                on_done=self._guard(lambda r, e=entry: self._on_hash_done(e, r)),
                on_failed=self._guard(lambda err, e=entry: self._on_hash_failed(e, err)),
            )
        self._emit_hash_progress()
        if not todo:
            self.hashing_finished.emit(*self._usable_and_failed())
        return len(todo)

    def cancel_hashing(self) -> None:
        """Stops fingerprinting: files not started are marked stopped now, running ones stop shortly."""
        self._hash_cancel.set()
        for entry, job in list(self._hash_jobs.items()):
            if self.runner.take(job):
                self._finish_hash(entry, FileState.STOPPED, "Stopped before this file was finished.")

    def _on_hash_progressed(self, entry: FileEntry, fraction: float) -> None:
        if entry.state in (FileState.WAITING, FileState.WORKING):
            entry.state, entry.progress = FileState.WORKING, fraction
            self.files.changed(entry)
            self._emit_hash_progress()

    def _on_hash_done(self, entry: FileEntry, fingerprints: Any) -> None:
        if entry not in self._hash_jobs:
            return
        entry.fingerprints = fingerprints
        kind = getattr(getattr(fingerprints, "kind", None), "value", None)
        entry.kind = FileKind.VIDEO if kind == "video" else FileKind.PHOTO
        warnings = tuple(getattr(fingerprints, "warnings", ()) or ())
        if warnings:
            self._finish_hash(entry, FileState.READY_WITH_WARNING, " ".join(w.message for w in warnings))
        else:
            self._finish_hash(entry, FileState.READY, "")

    def _on_hash_failed(self, entry: FileEntry, error: BaseException) -> None:
        if entry not in self._hash_jobs:
            return
        if _is_cancelled(error):
            self._finish_hash(entry, FileState.STOPPED, "Stopped before this file was finished.")
        else:
            self._finish_hash(entry, FileState.FAILED, describe_error(error))

    def _finish_hash(self, entry: FileEntry, state: FileState, message: str) -> None:
        self._hash_jobs.pop(entry, None)
        entry.state, entry.message, entry.progress = state, message, 1.0
        self.files.changed(entry)
        self._emit_hash_progress()
        if not self._hash_jobs:
            self._plan = None
            self.hashing_finished.emit(*self._usable_and_failed())

    def _emit_hash_progress(self) -> None:
        run = self._hash_run
        if not run:
            self.hashing_progressed.emit(0, 0, 1.0)
            return
        finished = sum(1 for e in run if e.state not in (FileState.WAITING, FileState.WORKING))
        overall = sum(1.0 if e.state not in (FileState.WAITING, FileState.WORKING) else e.progress for e in run)
        self.hashing_progressed.emit(finished, len(run), overall / len(run))

    def _usable_and_failed(self) -> tuple[int, int]:
        entries = self.files.entries
        usable = sum(1 for e in entries if e.state.usable)
        failed = sum(1 for e in entries if e.state in (FileState.FAILED, FileState.STOPPED))
        return usable, failed

    # --- review --------------------------------------------------------------------------------------------
    def usable_entries(self) -> tuple[FileEntry, ...]:
        return tuple(e for e in self.files.entries if e.state.usable)

    def set_dihedral(self, include: bool) -> None:
        """Whether each photo's PDQ is also sent turned and mirrored; a send already tried keeps its items."""
        if include != self.dihedral:
            self.dihedral = include
            if self._plan is not None and not self._plan.attempted:
                self._plan = None

    def review_summary(self) -> ReviewSummary:
        usable = self.usable_entries()
        videos = sum(1 for e in usable if e.kind is FileKind.VIDEO)
        low = sum(1 for e in usable if e.state is FileState.READY_WITH_WARNING)
        return ReviewSummary(
            photos=len(usable) - videos,
            videos=videos,
            fingerprints=sum(_fingerprint_count(_as_sent(e.fingerprints, self.dihedral)) for e in usable),
            low_quality=low,
        )

    def _current_plan(self) -> _SendPlan:
        usable = self.usable_entries()
        plan = self._plan
        if plan is not None and (plan.entries == usable or plan.credentials is not None):
            return plan
        program = self.program if self.mode is Mode.NEW_CASE else getattr(self.case_status, "program", self.program)
        plan = _SendPlan(
            program=program,
            entries=usable,
            items=self.backend.to_items([_as_sent(e.fingerprints, self.dihedral) for e in usable]),
            idempotency_key=self.backend.new_idempotency_key(),
        )
        if self.mode is Mode.NEW_CASE:
            plan.case_key = self.backend.new_case_key()
        else:
            plan.credentials = self.credentials
        self._plan = plan
        return plan

    def payload_text(self) -> str:
        """Exactly what will be sent (the case key masked), built by ``client_api``'s own serialiser."""
        plan = self._current_plan()
        return self.backend.payload_text(plan.program, plan.items, new_case=self.mode is Mode.NEW_CASE)

    # --- send ----------------------------------------------------------------------------------------------
    def send(self) -> None:
        """Sends (or, after a failure, sends again, safely) the usable fingerprints."""
        plan = self._current_plan()
        if not plan.items:
            self.send_failed.emit("There are no fingerprints to send. Add photos or videos first.")
            return
        backend, new_case = self.backend, self.mode is Mode.NEW_CASE
        plan.attempted = True

        def work(ctx: JobContext) -> Any:
            if not new_case:
                return backend.add_items(
                    plan.credentials, plan.items, idempotency_key=plan.idempotency_key, cancel=ctx.cancel,
                    progress=ctx.progress,
                )
            assert plan.case_key is not None
            try:
                status = backend.create_case(
                    plan.program, plan.items, case_key=plan.case_key, idempotency_key=plan.idempotency_key,
                    cancel=ctx.cancel, progress=ctx.progress,
                )
            except Exception as exc:
                # Some requests got through: the case exists, so keep its number and key whatever happens next.
                plan.credentials = getattr(exc, "credentials", None) or plan.credentials
                raise
            plan.credentials = backend.credentials(status.case_number, plan.case_key)
            return status

        steps = 100
        self.runner.network(
            work,
            on_done=self._guard(lambda status: self._on_sent(plan, status)),
            on_failed=self._guard(lambda error: self._on_send_failed(plan, error)),
            on_progress=self._guard(lambda f: self.send_progressed.emit(round(f * steps), steps)),
        )
        self.send_progressed.emit(0, 0)

    def _on_sent(self, plan: _SendPlan, status: Any) -> None:
        self.credentials = plan.credentials
        self.case_status = status
        for entry in plan.entries:
            entry.state, entry.message = FileState.SENT, ""
            entry.fingerprints = None
            self.files.changed(entry)
        self._plan = None
        self.sent.emit(status)

    def _on_send_failed(self, plan: _SendPlan, error: BaseException) -> None:
        if plan.credentials is not None and self.credentials is None:
            # The case exists even though later requests failed: keep its number and key.
            self.credentials = plan.credentials
        self.send_failed.emit(describe_error(error))

    def save_bundle(self, path: Path | str) -> None:
        """Saves what would be sent to ``path`` (chosen by the person) to send later; nothing is lost."""
        plan = self._current_plan()
        target, backend = Path(path), self.backend
        self.runner.network(
            lambda _ctx: backend.save_bundle(target, plan.program, plan.items),
            on_done=self._guard(lambda _v: self.bundle_saved.emit()),
            on_failed=self._guard(lambda error: self.bundle_failed.emit(describe_error(error))),
        )

    # --- your case -----------------------------------------------------------------------------------------
    def case_file(self) -> CaseFile:
        if self.credentials is None:
            raise RuntimeError("there is no case yet")
        return CaseFile(self.display_case_number(), self.display_case_key())

    def display_case_number(self) -> str:
        return str(getattr(self.credentials, "case_number", ""))

    def display_case_key(self) -> str:
        key = str(getattr(self.credentials, "case_key", ""))
        grouped = getattr(self.credentials, "display_key", None)
        if isinstance(grouped, str):
            return grouped
        plain = key.replace("-", "")
        if len(plain) == 26:
            return "-".join((plain[0:5], plain[5:10], plain[10:15], plain[15:20], plain[20:26]))
        return key

    def save_case_file(self, path: Path | str) -> None:
        """Writes the case number and key to ``path``, which the person chose."""
        text = self.case_file().text()
        target = Path(path)

        def work(_ctx: JobContext) -> None:
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UserFacingError(
                    "The file could not be saved there. Choose another place, for example your Documents "
                    "folder or a USB stick."
                ) from exc

        self.runner.network(
            work,
            on_done=self._guard(lambda _v: self.case_file_saved.emit()),
            on_failed=self._guard(lambda error: self.case_file_failed.emit(describe_error(error))),
        )

    def remember_case(self) -> None:
        """Stores the case in the system keyring; only when the person asks."""
        credentials = self.credentials
        self.runner.network(
            lambda _ctx: self.backend.remember(credentials),
            on_done=self._guard(lambda _v: self.remembered.emit()),
            on_failed=self._guard(lambda error: self.remember_failed.emit(describe_error(error))),
        )

    def forget_case(self) -> None:
        """Takes the case back out of the system keyring."""
        credentials = self.credentials
        self.runner.network(
            lambda _ctx: self.backend.forget(credentials),
            on_done=lambda _value: None,
            on_failed=self._guard(lambda error: self.remember_failed.emit(describe_error(error))),
        )

    def recall_cases(self) -> None:
        """Reads the cases remembered in the keyring; only when the person asks, never in shared mode."""
        backend = self.backend

        def work(_ctx: JobContext) -> list[tuple[str, str]]:
            return [(c.case_number, c.case_key) for c in backend.recall()]

        self.runner.network(
            work,
            on_done=self._guard(self.recalled.emit),
            on_failed=self._guard(lambda error: self.status_failed.emit(describe_error(error))),
        )

    # --- check a case --------------------------------------------------------------------------------------
    def check_case(self, case_number: str, case_key: str) -> None:
        backend = self.backend

        def work(_ctx: JobContext) -> Any:
            credentials = backend.credentials(case_number, case_key)
            return credentials, backend.status(credentials)

        self.runner.network(
            work,
            on_done=self._guard(self._on_checked),
            on_failed=self._guard(lambda error: self.status_failed.emit(describe_error(error))),
        )

    def refresh_status(self) -> None:
        credentials, backend = self.credentials, self.backend
        self.runner.network(
            lambda _ctx: (credentials, backend.status(credentials)),
            on_done=self._guard(self._on_checked),
            on_failed=self._guard(lambda error: self.status_failed.emit(describe_error(error))),
        )

    def _on_checked(self, result: tuple[Any, Any]) -> None:
        self.credentials, self.case_status = result
        self.status_loaded.emit(self.case_status)

    def add_more_to_case(self) -> None:
        """Starts choosing files again, to add them to the case that was just checked or created."""
        if self.credentials is None:
            raise RuntimeError("there is no case to add to")
        self.mode = Mode.ADD_TO_CASE
        self.program = getattr(self.case_status, "program", self.program)
        self._plan = None
        self.files.clear()

    def withdraw(self) -> None:
        credentials = self.credentials
        self.runner.network(
            lambda _ctx: self.backend.withdraw(credentials),
            on_done=self._guard(self._on_withdrawn),
            on_failed=self._guard(lambda error: self.withdraw_failed.emit(describe_error(error))),
        )

    def _on_withdrawn(self, status: Any) -> None:
        self.case_status = status
        self.withdrawn.emit(status)

    # --- preview -------------------------------------------------------------------------------------------
    def preview(self, row: int, size: int) -> None:
        """Makes a blurred preview of one photo off the UI thread; never stored anywhere."""
        from .preview import blurred_preview

        path = self.files.entry(row).path
        self.runner.hashing(
            lambda _ctx: blurred_preview(path, size),
            on_done=self._guard(self.preview_ready.emit),
            on_failed=self._guard(lambda _error: self.preview_ready.emit(None)),
        )

    # --- start over ----------------------------------------------------------------------------------------
    def start_over(self) -> None:
        """Drops every file, fingerprint, case detail and pending job of the previous person."""
        self._generation += 1
        self._hash_cancel.set()
        self.runner.cancel_all()
        self.files.clear()
        if self._plan is not None:
            self._plan.items.clear()
        self._clear_state()
        self.was_reset.emit()

