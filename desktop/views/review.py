"""Review before sending: how many fingerprints, exactly what will be sent, consent and attestations."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from ..i18n import N_, _, ngettext
from ..sessions import ReviewSummary
from .choices import WrappingCheckBox, WrappingRadioButton
from .common import Screen, button, note, paragraph, show

__all__ = ["ReviewScreen"]

CONSENT = N_(
    "I understand that only fingerprints are sent, and that websites and apps that take part will use them "
    "to find, block and remove matching photos and videos."
)
DIHEDRAL = N_("Also catches copies that were mirrored or turned")
ATTESTATION_UNDER_18 = N_("I am the person in these photos or videos, and I was under 18 when they were taken.")
ATTESTATION_ADULT = N_(
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
        super().__init__(N_("Check what will be sent"), parent)
        self.summary = paragraph()
        self.body.addWidget(self.summary)
        self.low_quality = note()
        self.low_quality.hide()
        self.body.addWidget(self.low_quality)
        # Sent by default: a platform hashes a mirrored or turned upload as it is, and abusers do that to slip
        # past matching. Unticking it sends only the picture as shown (and as stored).
        self.dihedral = WrappingCheckBox()
        show(self.dihedral, DIHEDRAL)
        self.dihedral.setChecked(True)
        self.body.addWidget(self.dihedral)
        self.body.addWidget(
            paragraph(N_(
                "No photo, video, file name or anything about you or this computer is sent: only the "
                "fingerprints below, and which programme your case belongs to."
            ))
        )
        self.show_payload = button(
            N_("Show exactly what will be sent"), N_("Shows the fingerprints as the computer sends them")
        )
        self.payload_hint = paragraph(N_(
            "This is what your computer sends, word for word. The long codes are the fingerprints. "
            "\u201cmd5\u201d and \u201csha256\u201d find exact copies; \u201cpdq\u201d, \u201cvpdq\u201d "
            "and \u201ctmk\u201d also find copies that were resized or changed a little. Your secret case key "
            "is sent too, so only you can change the case; it is hidden here and shown to you after sending."
        ))
        self.payload_hint.hide()
        self.body.addWidget(self.payload_hint)
        self.payload = QPlainTextEdit()
        self.payload.setReadOnly(True)
        show(self.payload, N_("Exactly what will be sent"), "accessibleName")
        # The payload is JSON: left to right in every language.
        self.payload.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload.setTabChangesFocus(True)
        self.payload.hide()
        self.body.addWidget(self.show_payload)
        self.body.addWidget(self.payload, 1)

        self.consent = WrappingCheckBox()
        show(self.consent, CONSENT)
        self.attestation = WrappingCheckBox()
        show(self.attestation, ATTESTATION_ADULT)
        for box in (self.consent, self.attestation):
            self.body.addWidget(box)
        self.body.addStretch(0)

        self.back = button(N_("Back"))
        self.send = button(N_("Send fingerprints"), default=True)
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
        show(self.summary, lambda: _summary_text(summary, adding=adding))
        if summary.low_quality:
            show(self.low_quality, lambda: ngettext(
                "{n} of them may be hard for websites and apps to recognise (for example, a very dark, blurry or "
                "plain picture). It will still be sent. If you have a clearer copy, add it too.",
                "{n} of them may be hard for websites and apps to recognise (for example, very dark, blurry or "
                "plain pictures). They will still be sent. If you have a clearer copy, add it too.",
                summary.low_quality,
            ).format(n=summary.low_quality))
        self.low_quality.setVisible(bool(summary.low_quality))
        show(self.attestation, ATTESTATION_UNDER_18 if under_18 else ATTESTATION_ADULT)

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
        show(self.summary, "")

    def focus_first(self) -> None:
        self.show_payload.setFocus()


def _summary_text(summary: ReviewSummary, *, adding: bool) -> str:
    """Two whole sentences from the catalogue: what is sent, and how many fingerprints that makes."""
    photos, videos = summary.photos, summary.videos
    photo_words = ngettext("{n} photo", "{n} photos", photos).format(n=photos)
    video_words = ngettext("{n} video", "{n} videos", videos).format(n=videos)
    if photos and videos:
        what = (
            _("Fingerprints of {photos} and {videos} will be added to your case.") if adding
            else _("Fingerprints of {photos} and {videos} will be sent to start your case.")
        ).format(photos=photo_words, videos=video_words)
    elif photos or videos:
        what = (
            _("Fingerprints of {items} will be added to your case.") if adding
            else _("Fingerprints of {items} will be sent to start your case.")
        ).format(items=photo_words if photos else video_words)
    else:
        return _("Nothing will be sent.")
    total = ngettext("That is {n} fingerprint in total.", "That is {n} fingerprints in total.", summary.fingerprints)
    return f"{what} {total.format(n=summary.fingerprints)}"
