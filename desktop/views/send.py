"""Sending: progress, and when it fails, a calm way to try again or save everything to send later."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from ..i18n import N_, _
from .common import Screen, Source, button, note, paragraph, show
from .live import announce, text_of

__all__ = ["SendScreen"]


class SendScreen(Screen):
    """Signals:
    retry_requested(), save_bundle_requested(), back_requested()
    """

    retry_requested = Signal()
    save_bundle_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(N_("Sending fingerprints"), parent)
        self.status = paragraph()
        self.bar = QProgressBar()
        show(self.bar, N_("Sending progress"), "accessibleName")
        self.bar.setTextVisible(False)
        self.problem = note()
        self.saved = note(warning=False)
        self.body.addWidget(self.status)
        self.body.addWidget(self.bar)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.saved)
        self.body.addStretch(1)
        self.back = button(N_("Back"))
        self.save_bundle = button(
            N_("Save to a file to send later…"),
            N_("Saves the fingerprints (never the photos or videos) to a file you choose"),
        )
        self.retry = button(N_("Try again"), default=True)
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.save_bundle)
        self.buttons.addWidget(self.retry)
        self.retry.clicked.connect(self.retry_requested)
        self.save_bundle.clicked.connect(self.save_bundle_requested)
        self.back.clicked.connect(self.back_requested)
        self.reset()

    def on_sending(self, done: int, total: int) -> None:
        show(self.status, N_("Sending the fingerprints. This usually takes a few seconds."))
        self.bar.setRange(0, total)  # 0..0 is Qt's "busy" bar: a single request has no steps to count
        self.bar.setValue(done)
        self.bar.show()
        self.problem.hide()
        self.saved.hide()
        for widget in (self.retry, self.save_bundle, self.back):
            widget.hide()

    def on_failed(self, message: Source) -> None:
        self.bar.setRange(0, 1)  # stop the busy animation: nothing is happening now
        self.bar.setValue(0)
        self.bar.hide()
        show(self.status, N_("The fingerprints could not be sent yet. Nothing is lost."))
        show(self.problem, lambda: "\n\n".join((text_of(message), _(
            "You can try again now, or save the fingerprints to a file and send them later "
            "from another computer or network."
        ))))
        self.problem.show()
        announce(self, f"{self.status.text()} {self.problem.text()}", urgent=True)
        for widget in (self.retry, self.save_bundle, self.back):
            widget.show()
        self.retry.setFocus()

    def on_bundle_saved(self) -> None:
        show(self.saved, N_(
            "Saved. The file holds only fingerprints, no photos or videos. Keep it private until you send it."
        ))
        self.saved.show()
        announce(self, self.saved.text())

    def on_bundle_failed(self, message: Source) -> None:
        show(self.saved, message)
        self.saved.show()
        announce(self, self.saved.text(), urgent=True)

    def reset(self) -> None:
        show(self.status, "")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.problem.hide()
        self.saved.hide()
        for widget in (self.retry, self.save_bundle, self.back):
            widget.hide()
