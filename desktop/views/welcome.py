"""The first screen: what Takeback does, in plain words, and the one choice that decides where the case goes."""

from __future__ import annotations

import enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QGroupBox, QRadioButton, QVBoxLayout, QWidget

from .common import Screen, button, paragraph

__all__ = ["Age", "WelcomeScreen"]


class Age(enum.Enum):
    """The person's age in the photos or videos: it decides the programme the case belongs to."""

    UNDER_18 = "under18"
    ADULT = "adult"


INTRO = (
    "Takeback helps you ask websites and apps to find and remove your intimate photos or videos, "
    "or to stop them being posted.\n\n"
    "Your photos and videos never leave this computer. Takeback makes a fingerprint of each one: "
    "a short code that cannot be turned back into the picture. Only the fingerprints are sent. "
    "Websites and apps that take part use them to spot copies and remove them.\n\n"
    "Nobody else sees your photos or videos, and you do not need to give your name.\n\n"
    "If you need to hide Takeback quickly, press \u201cQuick exit\u201d at the top, or the Esc key twice. "
    "Takeback closes at once and forgets everything."
)


class WelcomeScreen(Screen):
    """Signals:
    started(object): the person chose their age group and pressed Start (an :class:`Age`).
    check_requested(): the person wants to check a case they already have.
    shared_mode_toggled(bool), larger_text_toggled(bool): display and safety preferences.
    """

    started = Signal(object)
    check_requested = Signal()
    shared_mode_toggled = Signal(bool)
    larger_text_toggled = Signal(bool)

    def __init__(self, *, shared: bool, shared_locked: bool, larger_text: bool, parent: QWidget | None = None) -> None:
        super().__init__("Take back control of your photos and videos", parent)
        self.body.addWidget(paragraph(INTRO))

        self.age_box = QGroupBox("How old were you in these photos or videos?")
        self.age_box.setAccessibleName("How old were you in these photos or videos?")
        box_layout = QVBoxLayout(self.age_box)
        self.under_18 = QRadioButton("I was under 18 in at least one of them")
        self.under_18.setAccessibleDescription("Your case goes to the programme for pictures taken before 18.")
        self.adult = QRadioButton("I was 18 or older in all of them")
        self.adult.setAccessibleDescription("Your case goes to the programme for adults.")
        self.group = QButtonGroup(self)
        for radio in (self.under_18, self.adult):
            self.group.addButton(radio)
            box_layout.addWidget(radio)
        box_layout.addWidget(paragraph("If you are not sure, choose \u201cunder 18\u201d."))
        self.body.addWidget(self.age_box)

        self.shared_box = QCheckBox("This is a shared computer: keep nothing after Takeback closes")
        self.shared_box.setChecked(shared)
        self.shared_box.setEnabled(not shared_locked)
        self.larger_text = QCheckBox("Larger text")
        self.larger_text.setChecked(larger_text)
        self.body.addWidget(self.shared_box)
        self.body.addWidget(self.larger_text)
        self.body.addStretch(1)

        self.check_button = button("I already have a case: check it", "Check, add to or withdraw a case")
        self.start_button = button("Start", "Choose the photos and videos to fingerprint", default=True)
        self.start_button.setEnabled(False)
        self.buttons.addWidget(self.check_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.start_button)

        self.group.buttonToggled.connect(self._on_age_toggled)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.check_button.clicked.connect(self.check_requested)
        self.shared_box.toggled.connect(self.shared_mode_toggled)
        self.larger_text.toggled.connect(self.larger_text_toggled)

    def chosen_age(self) -> Age | None:
        if self.under_18.isChecked():
            return Age.UNDER_18
        if self.adult.isChecked():
            return Age.ADULT
        return None

    def _on_age_toggled(self) -> None:
        self.start_button.setEnabled(self.chosen_age() is not None)

    def _on_start_clicked(self) -> None:
        age = self.chosen_age()
        if age is not None:
            self.started.emit(age)

    def reset(self) -> None:
        self.group.setExclusive(False)
        self.under_18.setChecked(False)
        self.adult.setChecked(False)
        self.group.setExclusive(True)
        self.start_button.setEnabled(False)

    def focus_first(self) -> None:
        self.under_18.setFocus()
