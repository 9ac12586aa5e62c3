"""Your case: the case number and secret key, shown large, with ways to keep them safe."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from ..i18n import N_, _
from .choices import WrappingCheckBox, WrappingRadioButton
from .common import Screen, Source, button, note, paragraph, set_scaled_font, show
from .live import announce

__all__ = ["CaseScreen"]

KEY_WARNING = N_(
    "Write down the case number and key, or save them to a file, before you close Takeback. "
    "You need both to check your case or withdraw it. Nobody can recover the key if you lose it, "
    "not even us: it is never stored anywhere except where you keep it."
)
#: What Takeback cannot do, said again where the person decides what to rely on.
LIMITS = N_(
    "Only websites and apps that take part use your fingerprints. Copies that were changed a lot may not be "
    "found, and Takeback cannot delete copies already saved on someone's phone or computer."
)


class CaseScreen(Screen):
    """Signals:
    copy_requested(str): text to put on the clipboard.
    save_requested(): save number and key to a file the person chooses.
    remember_toggled(bool): remember the case in this computer's keyring.
    check_requested(): open this case's status.
    """

    copy_requested = Signal(str)
    save_requested = Signal()
    remember_toggled = Signal(bool)
    check_requested = Signal()

    def __init__(self, *, can_remember: bool, parent: QWidget | None = None) -> None:
        super().__init__(N_("Your case"), parent)
        self.intro = paragraph()
        self.body.addWidget(self.intro)
        grid = QGridLayout()
        self.number = self._big_value()
        self.key = self._big_value()
        self.copy_number = button(N_("Copy number"), N_("Copy the case number"))
        self.copy_key = button(N_("Copy key"), N_("Copy the case key"))
        number_label, key_label = QLabel(), QLabel()
        show(number_label, N_("Case number"))
        show(key_label, N_("Case key (keep it secret, like a password)"))
        number_label.setBuddy(self.number)
        key_label.setBuddy(self.key)
        grid.addWidget(number_label, 0, 0)
        grid.addWidget(self.number, 1, 0)
        grid.addWidget(self.copy_number, 1, 1, Qt.AlignmentFlag.AlignLeading)
        grid.addWidget(key_label, 2, 0)
        grid.addWidget(self.key, 3, 0)
        grid.addWidget(self.copy_key, 3, 1, Qt.AlignmentFlag.AlignLeading)
        grid.setColumnStretch(0, 1)
        self.body.addLayout(grid)
        self.warning = note(KEY_WARNING)
        self.body.addWidget(self.warning)
        self.limits = paragraph(LIMITS)
        self.body.addWidget(self.limits)
        self.save = button(N_("Save number and key to a file…"), N_("You choose where the file goes"))
        self.saved = paragraph()
        self.body.addWidget(self.save)
        self.body.addWidget(self.saved)
        self.remember = WrappingCheckBox()
        show(self.remember, N_("Remember this case on this computer (anyone using this account could see it)"))
        self.remember.setVisible(can_remember)
        self.body.addWidget(self.remember)
        self.body.addStretch(1)
        self.check = button(N_("See this case's status"), default=True)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.check)

        self.copy_number.clicked.connect(lambda: self.copy_requested.emit(self.number.text()))
        self.copy_key.clicked.connect(lambda: self.copy_requested.emit(self.key.text()))
        self.save.clicked.connect(self.save_requested)
        self.remember.toggled.connect(self.remember_toggled)
        self.check.clicked.connect(self.check_requested)
        self.reset()

    def _big_value(self) -> QLabel:
        label = QLabel()
        set_scaled_font(label, 2.0, bold=True, monospace=True)
        flags = Qt.TextInteractionFlag
        label.setTextInteractionFlags(flags.TextSelectableByMouse | flags.TextSelectableByKeyboard)
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, so a screen reader reads it
        # Labels draw no focus of their own: a ring in the theme's focus colour (the palette's link role).
        label.setStyleSheet("QLabel { border: 2px solid transparent; } QLabel:focus { border-color: palette(link); }")
        label.setWordWrap(True)
        # Case numbers and keys read left to right in every language, also when the layout is mirrored.
        label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter)
        return label

    def show_case(self, case_number: str, case_key: str, *, added: bool) -> None:
        show(
            self.intro,
            N_("Your fingerprints were added to your case.") if added else
            N_("Your fingerprints were sent. Websites and apps that take part will now look for copies."),
        )
        self.number.setText(case_number)
        self.key.setText(case_key)
        # The name carries the value, and the description spells it out one character at a time.
        show(self.number, lambda: _("Case number: {number}").format(number=case_number), "accessibleName")
        show(self.key, lambda: _("Case key: {key}").format(key=case_key), "accessibleName")
        self.number.setAccessibleDescription(" ".join(case_number))
        self.key.setAccessibleDescription(" ".join(case_key))
        announce(self, f"{self.intro.text()} {self.number.accessibleName()}")

    def on_saved(self, text: Source) -> None:
        show(self.saved, text)
        announce(self, self.saved.text())

    def set_can_remember(self, allowed: bool) -> None:
        self.remember.setVisible(allowed)

    def reset(self) -> None:
        self.number.clear()
        self.key.clear()
        for value in (self.number, self.key):
            show(value, N_("Not shown yet"), "accessibleName")
            value.setAccessibleDescription("")
        show(self.saved, "")
        self.remember.blockSignals(True)
        self.remember.setChecked(False)
        self.remember.blockSignals(False)

    def focus_first(self) -> None:
        self.copy_number.setFocus()
