"""Sending: progress, and when it fails, a calm way to try again or save everything to send later."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from .common import Screen, button, note, paragraph

__all__ = ["SendScreen"]


class SendScreen(Screen):
    """Signals:
    retry_requested(), save_bundle_requested(), back_requested()
    """

    retry_requested = Signal()
    save_bundle_requested = Signal()
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sending fingerprints", parent)
        self.status = paragraph()
        self.status.setAccessibleName("Sending")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Sending progress")
        self.bar.setTextVisible(False)
        self.problem = note()
        self.saved = note(warning=False)
        self.body.addWidget(self.status)
        self.body.addWidget(self.bar)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.saved)
        self.body.addStretch(1)
        self.back = button("Back")
        self.save_bundle = button(
            "Save to a file to send later…",
            "Saves the fingerprints (never the photos or videos) to a file you choose",
        )
        self.retry = button("Try again", default=True)
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.save_bundle)
        self.buttons.addWidget(self.retry)
        self.retry.clicked.connect(self.retry_requested)
        self.save_bundle.clicked.connect(self.save_bundle_requested)
        self.back.clicked.connect(self.back_requested)
        self.reset()

    def on_sending(self, done: int, total: int) -> None:
        self.status.setText("Sending the fingerprints. This usually takes a few seconds.")
        self.bar.setRange(0, total)  # 0..0 is Qt's "busy" bar: a single request has no steps to count
        self.bar.setValue(done)
        self.bar.show()
        self.problem.hide()
        self.saved.hide()
        for widget in (self.retry, self.save_bundle, self.back):
            widget.hide()

    def on_failed(self, message: str) -> None:
        self.bar.setRange(0, 1)  # stop the busy animation: nothing is happening now
        self.bar.setValue(0)
        self.bar.hide()
        self.status.setText("The fingerprints could not be sent yet. Nothing is lost.")
        self.problem.setText(
            f"{message}\n\nYou can try again now, or save the fingerprints to a file and send them later "
            "from another computer or network."
        )
        self.problem.show()
        for widget in (self.retry, self.save_bundle, self.back):
            widget.show()
        self.retry.setFocus()

    def on_bundle_saved(self) -> None:
        self.saved.setText(
            "Saved. The file holds only fingerprints, no photos or videos. Keep it private until you send it."
        )
        self.saved.show()

    def on_bundle_failed(self, message: str) -> None:
        self.saved.setText(message)
        self.saved.show()

    def reset(self) -> None:
        self.status.setText("")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.problem.hide()
        self.saved.hide()
        for widget in (self.retry, self.save_bundle, self.back):
            widget.hide()
