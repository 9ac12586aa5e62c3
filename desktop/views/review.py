"""Review before sending: how many fingerprints, exactly what will be sent, consent and attestations."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QWidget

from ..sessions import ReviewSummary
from .common import Screen, button, note, paragraph

__all__ = ["ReviewScreen"]

CONSENT = (
    "I understand that only fingerprints are sent, and that websites and apps that take part will use them "
    "to find, block and remove matching photos and videos."
)
DIHEDRAL = "Also catches copies that were mirrored or turned"
ATTESTATION_UNDER_18 = "I am the person in these photos or videos, and I was under 18 when they were taken."
ATTESTATION_ADULT = (
    "I am the person in these photos or videos, I was 18 or older, and they are intimate (nude, "
    "partly nude or sexual)."
)


class ReviewScreen(Screen):
    """Signals:
    payload_requested(): the person wants to see exactly what will be sent.
    dihedral_toggled(bool): whether to send each photo's fingerprint turned and mirrored too.
    back_requested(), send_requested()
    """

    payload_requested = Signal()
    dihedral_toggled = Signal(bool)
    back_requested = Signal()
    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Check what will be sent", parent)
        self.summary = paragraph()
        self.summary.setAccessibleName("What will be sent")
        self.body.addWidget(self.summary)
        self.low_quality = note()
        self.low_quality.hide()
        self.body.addWidget(self.low_quality)
        # Sent by default: a platform hashes a mirrored or turned upload as it is, and abusers do that to slip
        # past matching. Unticking it sends only the picture as shown (and as stored).
        self.dihedral = QCheckBox(DIHEDRAL)
        self.dihedral.setChecked(True)
        self.dihedral.setAccessibleName(DIHEDRAL)
        self.body.addWidget(self.dihedral)
        self.body.addWidget(
            paragraph(
                "No photo, video, file name or anything about you or this computer is sent: only the "
                "fingerprints below, and which programme your case belongs to."
            )
        )
        self.show_payload = button(
            "Show exactly what will be sent", "Shows the fingerprints as the computer sends them"
        )
        self.payload_hint = paragraph(
            "This is what your computer sends, word for word. The long codes are the fingerprints. "
            "\u201cmd5\u201d and \u201csha256\u201d find exact copies; \u201cpdq\u201d, \u201cvpdq\u201d "
            "and \u201ctmk\u201d also find copies that were resized or changed a little. Your secret case key "
            "is sent too, so only you can change the case; it is hidden here and shown to you after sending."
        )
        self.payload_hint.hide()
        self.body.addWidget(self.payload_hint)
        self.payload = QPlainTextEdit()
        self.payload.setReadOnly(True)
        self.payload.setAccessibleName("Exactly what will be sent")
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload.setTabChangesFocus(True)
        self.payload.hide()
        self.body.addWidget(self.show_payload)
        self.body.addWidget(self.payload, 1)

        self.consent = QCheckBox(CONSENT)
        self.attestation = QCheckBox(ATTESTATION_ADULT)
        for box in (self.consent, self.attestation):
            box.setAccessibleName(box.text())
            self.body.addWidget(box)
        self.body.addStretch(0)

        self.back = button("Back")
        self.send = button("Send fingerprints", default=True)
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.send)

        self.show_payload.clicked.connect(self._on_show_payload_clicked)
        self.dihedral.toggled.connect(self._on_dihedral_toggled)
        self.consent.toggled.connect(self._update)
        self.attestation.toggled.connect(self._update)
        self.back.clicked.connect(self.back_requested)
        self.send.clicked.connect(self.send_requested)
        self._update()

    def set_summary(self, summary: ReviewSummary, *, under_18: bool, adding: bool) -> None:
        parts = []
        if summary.photos:
            parts.append(f"{summary.photos} photo{'s' if summary.photos != 1 else ''}")
        if summary.videos:
            parts.append(f"{summary.videos} video{'s' if summary.videos != 1 else ''}")
        what = " and ".join(parts) or "nothing"
        where = "added to your case" if adding else "sent to start your case"
        self.summary.setText(
            f"Fingerprints of {what} will be {where}: {summary.fingerprints} fingerprints in total."
        )
        if summary.low_quality:
            self.low_quality.setText(
                f"{summary.low_quality} of them may be hard for websites and apps to recognise (for example, very "
                "dark, blurry or plain pictures). They will still be sent. If you have a clearer copy, add it too."
            )
        self.low_quality.setVisible(bool(summary.low_quality))
        self.attestation.setText(ATTESTATION_UNDER_18 if under_18 else ATTESTATION_ADULT)
        self.attestation.setAccessibleName(self.attestation.text())

    def set_payload(self, text: str) -> None:
        self.payload.setPlainText(text)
        self.payload_hint.show()
        self.payload.show()
        self.show_payload.setEnabled(False)

    def _on_show_payload_clicked(self) -> None:
        self.payload_requested.emit()

    def _on_dihedral_toggled(self, checked: bool) -> None:
        self.payload.clear()  # what is sent changed: the shown payload would be out of date
        self.payload.hide()
        self.payload_hint.hide()
        self.show_payload.setEnabled(True)
        self.dihedral_toggled.emit(checked)

    def _update(self) -> None:
        self.send.setEnabled(self.consent.isChecked() and self.attestation.isChecked())

    def reset(self) -> None:
        self.consent.setChecked(False)
        self.attestation.setChecked(False)
        self.payload.clear()
        self.payload.hide()
        self.payload_hint.hide()
        self.show_payload.setEnabled(True)
        self.low_quality.hide()
        self.summary.setText("")

    def focus_first(self) -> None:
        self.show_payload.setFocus()
