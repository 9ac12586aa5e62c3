"""Making fingerprints: progress for each file and overall, a running count, and a way to stop."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from ..models import Column, ResultsModel
from .common import Screen, button, files_table, note, paragraph, stretch_columns

__all__ = ["FingerprintScreen"]


class FingerprintScreen(Screen):
    """Signals:
    cancel_requested(): stop fingerprinting.
    retry_requested(): fingerprint stopped files again.
    back_requested(): change the list of files.
    next_requested(): go on to review what will be sent.
    """

    cancel_requested = Signal()
    retry_requested = Signal()
    back_requested = Signal()
    next_requested = Signal()

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__("Making fingerprints", parent)
        self.body.addWidget(
            paragraph(
                "Takeback is looking at each file on this computer and working out its fingerprint. "
                "Long videos can take a few minutes. Nothing is sent yet."
            )
        )
        self.count = paragraph()
        self.count.setAccessibleName("Progress")
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setTextVisible(False)
        self.overall.setAccessibleName("Progress of all files")
        self.body.addWidget(self.count)
        self.body.addWidget(self.overall)
        self.table = files_table("Files and their fingerprint state")
        self.table.setModel(model)
        stretch_columns(self.table, Column.short_texts())
        self.body.addWidget(self.table, 1)
        self.summary = note(warning=False)
        self.summary.hide()
        self.body.addWidget(self.summary)

        self.back = button("Change the files")
        self.stop = button("Stop", "Stop making fingerprints. Nothing is sent.")
        self.retry = button("Continue with stopped files")
        self.next = button("Next: check what will be sent", default=True)
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.stop)
        self.buttons.addWidget(self.retry)
        self.buttons.addWidget(self.next)
        self.stop.clicked.connect(self.cancel_requested)
        self.retry.clicked.connect(self.retry_requested)
        self.back.clicked.connect(self.back_requested)
        self.next.clicked.connect(self.next_requested)
        self.reset()

    def on_started(self) -> None:
        self.summary.hide()
        self.stop.setEnabled(True)
        self.stop.show()
        self.retry.hide()
        self.back.setEnabled(False)
        self.next.setEnabled(False)
        self.stop.setFocus()

    def on_progressed(self, finished: int, total: int, fraction: float) -> None:
        self.count.setText(f"{finished} of {total} files done" if total else "")
        self.overall.setValue(round(fraction * 1000))
        self.overall.setAccessibleDescription(f"{round(fraction * 100)} percent")

    def on_stopping(self) -> None:
        self.stop.setEnabled(False)
        self.count.setText("Stopping…")

    def on_finished(self, usable: int, failed: int, stopped: int) -> None:
        self.stop.hide()
        self.back.setEnabled(True)
        self.next.setEnabled(usable > 0)
        self.retry.setVisible(stopped > 0)
        parts = []
        if usable:
            parts.append(f"{usable} {'file is' if usable == 1 else 'files are'} ready to send.")
        if failed:
            parts.append(
                f"{failed} {'file' if failed == 1 else 'files'} could not be used: the note next to each says why "
                "and what you can do. Your other files are fine."
            )
        if stopped:
            parts.append(f"You stopped before {stopped} {'file was' if stopped == 1 else 'files were'} finished.")
        if not usable:
            parts.append("There is nothing to send yet. Go back to add other files.")
        self.summary.setText(" ".join(parts))
        self.summary.show()
        (self.next if usable else self.back).setFocus()

    def reset(self) -> None:
        self.count.setText("")
        self.overall.setValue(0)
        self.summary.hide()
        self.stop.show()
        self.stop.setEnabled(True)
        self.retry.hide()
        self.next.setEnabled(False)

    def focus_first(self) -> None:
        self.stop.setFocus()
