"""The first screen: what Takeback does, in plain words, and the one choice that decides where the case goes."""

from __future__ import annotations

import enum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QGroupBox, QHBoxLayout, QRadioButton, QVBoxLayout, QWidget

from ..i18n import N_
from .choices import WrappingCheckBox, WrappingRadioButton
from .common import Screen, button, paragraph, show
from .language_menu import LanguageMenu, language_label

__all__ = ["Age", "WelcomeScreen"]


class Age(enum.Enum):
    """The person's age in the photos or videos: it decides the programme the case belongs to."""

    UNDER_18 = "under18"
    ADULT = "adult"


INTRO = N_(
    "Takeback helps you ask websites and apps to find and remove your intimate photos or videos, "
    "or to stop them being posted.\n\n"
    "Your photos and videos never leave this computer. Takeback makes a fingerprint of each one: "
    "a short code that cannot be turned back into the picture. Only the fingerprints are sent. "
    "Websites and apps that take part use them to spot copies and remove them.\n\n"
    "Nobody else sees your photos or videos, and you do not need to give your name.\n\n"
    "If you need to hide Takeback quickly, press \u201cQuick exit\u201d at the top, or the Esc key twice. "
    "Takeback closes at once and forgets everything."
)

#: What Takeback cannot do, said before anyone relies on it.
LIMITS = N_(
    "What Takeback cannot do: only websites and apps that take part look for your fingerprints. A copy that "
    "was cropped or edited a lot may not match. Takeback cannot delete anything already saved on someone's "
    "phone or computer."
)


class WelcomeScreen(Screen):
    """Signals:
    started(object): the person chose their age group and pressed Start (an :class:`Age`).
    check_requested(): the person wants to check a case they already have.
    shared_mode_toggled(bool), larger_text_toggled(bool): display and safety preferences.
    language_chosen(object): the person picked a language (a :class:`~desktop.i18n.Language`).
    """

    started = Signal(object)
    check_requested = Signal()
    shared_mode_toggled = Signal(bool)
    larger_text_toggled = Signal(bool)
    language_chosen = Signal(object)

    def __init__(self, *, shared: bool, shared_locked: bool, larger_text: bool, parent: QWidget | None = None) -> None:
        super().__init__(N_("Take back control of your photos and videos"), parent)
        # First, so a person who cannot read this language finds theirs before anything else.
        language_row = QHBoxLayout()
        self.language_menu = LanguageMenu()
        language_row.addWidget(language_label(self.language_menu))
        language_row.addWidget(self.language_menu)
        language_row.addStretch(1)
        self.body.addLayout(language_row)
        self.body.addWidget(paragraph(INTRO))
        self.limits = paragraph(LIMITS)
        self.body.addWidget(self.limits)

        self.age_box = QGroupBox()
        show(self.age_box, N_("How old were you in these photos or videos?"), "title")
        show(self.age_box, N_("How old were you in these photos or videos?"), "accessibleName")
        box_layout = QVBoxLayout(self.age_box)
        self.under_18 = WrappingRadioButton()
        show(self.under_18, N_("I was under 18 in at least one of them"))
        show(
            self.under_18, N_("Your case goes to the programme for pictures taken before 18."), "accessibleDescription"
        )
        self.adult = WrappingRadioButton()
        show(self.adult, N_("I was 18 or older in all of them"))
        show(self.adult, N_("Your case goes to the programme for adults."), "accessibleDescription")
        self.group = QButtonGroup(self)
        for radio in (self.under_18, self.adult):
            self.group.addButton(radio)
            box_layout.addWidget(radio)
        box_layout.addWidget(paragraph(N_("If you are not sure, choose \u201cunder 18\u201d.")))
        self.body.addWidget(self.age_box)

        self.shared_box = WrappingCheckBox()
        show(self.shared_box, N_("This is a shared computer: keep nothing after Takeback closes"))
        self.shared_box.setChecked(shared)
        self.shared_box.setEnabled(not shared_locked)
        self.larger_text = WrappingCheckBox()
        show(self.larger_text, N_("Larger text"))
        self.larger_text.setChecked(larger_text)
        self.body.addWidget(self.shared_box)
        self.body.addWidget(self.larger_text)
        self.body.addStretch(1)

        self.check_button = button(N_("I already have a case: check it"), N_("Check, add to or withdraw a case"))
        self.start_button = button(N_("Start"), N_("Choose the photos and videos to fingerprint"), default=True)
        self.start_button.setEnabled(False)
        self.buttons.addWidget(self.check_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.start_button)

        self.group.buttonToggled.connect(self._on_age_toggled)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.check_button.clicked.connect(self.check_requested)
        self.shared_box.toggled.connect(self.shared_mode_toggled)
        self.larger_text.toggled.connect(self.larger_text_toggled)
        self.language_menu.chosen.connect(self.language_chosen)

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
