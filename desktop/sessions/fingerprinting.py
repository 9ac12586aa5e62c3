"""The fingerprinting session: the files the person chose, fingerprinting them, and what is ready to send.

Fingerprints stay in memory, on the file list's entries, until they are sent or the person starts over.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ..jobs import Job, JobContext
from ..messages import STOPPED_BEFORE_FINISHED, describe_error
from ..models import FileEntry, FileKind, FileState, ResultsModel
from .base import Session

if TYPE_CHECKING:
    from hashing import ImageFingerprints, VideoFingerprints

    from ..backend import Backend
    from ..jobs import JobRunner

__all__ = ["FingerprintingSession", "ReviewSummary"]


@dataclass(frozen=True)
class ReviewSummary:
    """What the review screen says is about to be sent."""

    photos: int
    videos: int
    fingerprints: int
    low_quality: int


class FingerprintingSession(Session):
    """Lists the chosen files and fingerprints them on the hashing pool, each file failing on its own.

    Signals:
        files_added(int): how many new files were added to the list.
        files_failed(str): a chosen folder or file could not be listed.
        hashing_progressed(int, int, float): files finished, files in this run, overall fraction.
        hashing_finished(int, int): files usable, files that could not be used.
        preview_ready(object): a blurred ``QImage`` of one file, or None if it cannot be previewed.
    """

    files_added = Signal(int)
    files_failed = Signal(str)
    hashing_progressed = Signal(int, int, float)
    hashing_finished = Signal(int, int)
    preview_ready = Signal(object)

    def __init__(self, backend: Backend, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(backend, runner, parent)
        self.files = ResultsModel(self)
        #: Changes whenever the fingerprints ready to send may have changed, so a prepared send is made again.
        self.revision = 0
        self._clear_state()

    def _clear_state(self) -> None:
        #: Also send each photo's PDQ turned and mirrored (the review screen's "mirrored or turned" box).
        self.dihedral = True
        self._hash_cancel = threading.Event()
        self._hash_jobs: dict[FileEntry, Job] = {}
        self._hash_run: list[FileEntry] = []

    def reset(self) -> None:
        """Stops fingerprinting and drops every file and fingerprint."""
        super().reset()
        self._hash_cancel.set()
        self.files.clear()
        self.revision += 1
        self._clear_state()

    # --- choosing files ------------------------------------------------------------------------------------
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

        self._queue(work, done=self._on_expand_done, failed=self.files_failed, pool=self.runner.hashing)

    def _on_expand_done(self, entries: list[FileEntry]) -> None:
        before = self.files.rowCount()
        self.files.add(entries)
        self.files_added.emit(self.files.rowCount() - before)

    def remove_rows(self, rows: list[int]) -> None:
        if self.hashing:
            return
        self.revision += 1
        self.files.remove_rows(rows)

    def preview(self, row: int, size: int) -> None:
        """Makes a blurred preview of one photo off the UI thread; never stored anywhere."""
        from ..preview import blurred_preview

        path = self.files.entry(row).path
        self.runner.hashing(
            lambda _ctx: blurred_preview(path, size),
            on_done=self._guard(self.preview_ready.emit),
            on_failed=self._guard(lambda _error: self.preview_ready.emit(None)),
        )

    # --- fingerprinting ------------------------------------------------------------------------------------
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

            def work(ctx: JobContext, path: Path = path) -> ImageFingerprints | VideoFingerprints:
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
                self._finish_hash(entry, FileState.STOPPED, STOPPED_BEFORE_FINISHED)

    def _on_hash_progressed(self, entry: FileEntry, fraction: float) -> None:
        if entry.state in (FileState.WAITING, FileState.WORKING):
            entry.state, entry.progress = FileState.WORKING, fraction
            self.files.changed(entry)
            self._emit_hash_progress()

    def _on_hash_done(self, entry: FileEntry, fingerprints: ImageFingerprints | VideoFingerprints) -> None:
        # hashing is imported here, not at module load, so the window opens without loading the decoders.
        from hashing import MediaKind

        if entry not in self._hash_jobs:
            return
        entry.fingerprints = fingerprints
        entry.kind = FileKind.VIDEO if fingerprints.kind is MediaKind.VIDEO else FileKind.PHOTO
        if fingerprints.warnings:
            self._finish_hash(
                entry, FileState.READY_WITH_WARNING, " ".join(w.message for w in fingerprints.warnings)
            )
        else:
            self._finish_hash(entry, FileState.READY, "")

    def _on_hash_failed(self, entry: FileEntry, error: BaseException) -> None:
        from hashing import Cancelled

        if entry not in self._hash_jobs:
            return
        if isinstance(error, Cancelled):
            self._finish_hash(entry, FileState.STOPPED, STOPPED_BEFORE_FINISHED)
        else:
            self._finish_hash(entry, FileState.FAILED, describe_error(error))

    def _finish_hash(self, entry: FileEntry, state: FileState, message: str) -> None:
        self._hash_jobs.pop(entry, None)
        entry.state, entry.message, entry.progress = state, message, 1.0
        self.files.changed(entry)
        self._emit_hash_progress()
        if not self._hash_jobs:
            self.revision += 1
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

    # --- what is ready to send -----------------------------------------------------------------------------
    def usable_entries(self) -> tuple[FileEntry, ...]:
        return tuple(e for e in self.files.entries if e.state.usable)

    def set_dihedral(self, include: bool) -> None:
        """Whether each photo's PDQ is also sent turned and mirrored (by default it is)."""
        self.dihedral = include

    def as_sent(self, fingerprints: ImageFingerprints | VideoFingerprints) -> ImageFingerprints | VideoFingerprints:
        """A file's fingerprints as they will be sent: without the turned ones if the person left them out."""
        if self.dihedral or not getattr(fingerprints, "dihedral", ()):  # videos have none
            return fingerprints
        return dataclasses.replace(fingerprints, dihedral=())

    def review_summary(self) -> ReviewSummary:
        from ..fingerprints import fingerprint_count

        usable = self.usable_entries()
        videos = sum(1 for e in usable if e.kind is FileKind.VIDEO)
        low = sum(1 for e in usable if e.state is FileState.READY_WITH_WARNING)
        return ReviewSummary(
            photos=len(usable) - videos,
            videos=videos,
            fingerprints=sum(fingerprint_count(self.as_sent(e.fingerprints)) for e in usable if e.fingerprints is not None),
            low_quality=low,
        )

    def mark_sent(self, entries: Sequence[FileEntry]) -> None:
        """Marks files as sent and drops their fingerprints: nothing of them is kept any longer."""
        for entry in entries:
            entry.state, entry.message = FileState.SENT, ""
            entry.fingerprints = None
            self.files.changed(entry)
