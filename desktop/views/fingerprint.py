"""Making fingerprints: progress for each file and overall, a running count, and a way to stop."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from ..models import Column, ResultsModel
from ..i18n import N_, _, ngettext
from .common import Screen, button, files_table, note, paragraph, show, stretch_columns
from .live import announce

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
        super().__init__(N_("Making fingerprints"), parent)
        self.body.addWidget(
            paragraph(
                N_("Takeback is looking at each file on this computer and working out its fingerprint. "
                "Long videos can take a few minutes. Nothing is sent yet.")
            )
        )
        self.count = paragraph()
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setTextVisible(False)
        show(self.overall, N_("Progress of all files"), "accessibleName")
        self.body.addWidget(self.count)
        self.body.addWidget(self.overall)
        self.table = files_table(N_("Files and their fingerprint state"))
        self.table.setModel(model)
        stretch_columns(self.table, Column.short_texts())
        self.body.addWidget(self.table, 1)
        self.summary = note(warning=False)
        self.summary.hide()
        self.body.addWidget(self.summary)

        self.back = button(N_("Change the files"))
        self.stop = button(N_("Stop"), N_("Stop making fingerprints. Nothing is sent."))
        self.retry = button(N_("Continue with stopped files"))
        self.next = button(N_("Next: check what will be sent"), default=True)
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
        show(
            self.count,
            (lambda: ngettext("{finished} of {total} file done", "{finished} of {total} files done", total).format(
                finished=finished, total=total
            )) if total else "",
        )
        self.overall.setValue(round(fraction * 1000))
        percent = round(fraction * 100)
        show(self.overall, lambda: _("{percent}% done").format(percent=percent), "accessibleDescription")

    def on_stopping(self) -> None:
        self.stop.setEnabled(False)
        show(self.count, N_("Stopping…"))

    def on_finished(self, usable: int, failed: int, stopped: int) -> None:
        self.stop.hide()
        self.back.setEnabled(True)
        self.next.setEnabled(usable > 0)
        self.retry.setVisible(stopped > 0)

        def summary() -> str:
            sentences = []
            if usable:
                sentences.append(
                    ngettext("{n} file is ready to send.", "{n} files are ready to send.", usable).format(n=usable)
                )
            if failed:
                sentences.append(ngettext(
                    "{n} file could not be used: the note next to it says why and what you can do. "
                    "Your other files are fine.",
                    "{n} files could not be used: the note next to each says why and what you can do. "
                    "Your other files are fine.",
                    failed,
                ).format(n=failed))
            if stopped:
                sentences.append(ngettext(
                    "You stopped before {n} file was finished.", "You stopped before {n} files were finished.", stopped
                ).format(n=stopped))
            if not usable:
                sentences.append(_("There is nothing to send yet. Go back to add other files."))
            # Whole sentences, each translated as one; only the space between them is ours.
            return " ".join(sentences)

        show(self.summary, summary)
        self.summary.show()
        announce(self, self.summary.text())
        (self.next if usable else self.back).setFocus()

    def reset(self) -> None:
        show(self.count, "")
        self.overall.setValue(0)
        self.summary.hide()
        self.stop.show()
        self.stop.setEnabled(True)
        self.retry.hide()
        self.next.setEnabled(False)

    def focus_first(self) -> None:
        self.stop.setFocus()
