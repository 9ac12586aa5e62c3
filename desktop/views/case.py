"""Your case: the case number and secret key, shown large, with ways to keep them safe."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from .common import Screen, button, note, paragraph, set_scaled_font

__all__ = ["CaseScreen"]

KEY_WARNING = (
    "Write down the case number and key, or save them to a file, before you close Takeback. "
    "You need both to check your case or withdraw it. Nobody can recover the key if you lose it, "
    "not even us: it is never stored anywhere except where you keep it."
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
        super().__init__("Your case", parent)
        self.intro = paragraph()
        self.body.addWidget(self.intro)
        grid = QGridLayout()
        self.number = self._big_value("Case number")
        self.key = self._big_value("Case key")
        self.copy_number = button("Copy number", "Copy the case number")
        self.copy_key = button("Copy key", "Copy the case key")
        grid.addWidget(QLabel("Case number"), 0, 0)
        grid.addWidget(self.number, 1, 0)
        grid.addWidget(self.copy_number, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(QLabel("Case key (keep it secret, like a password)"), 2, 0)
        grid.addWidget(self.key, 3, 0)
        grid.addWidget(self.copy_key, 3, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(0, 1)
        self.body.addLayout(grid)
        self.warning = note(KEY_WARNING)
        self.body.addWidget(self.warning)
        self.save = button("Save number and key to a file…", "You choose where the file goes")
        self.saved = paragraph()
        self.body.addWidget(self.save)
        self.body.addWidget(self.saved)
        self.remember = QCheckBox("Remember this case on this computer (anyone using this account could see it)")
        self.remember.setVisible(can_remember)
        self.body.addWidget(self.remember)
        self.body.addStretch(1)
        self.check = button("See this case's status", default=True)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.check)

        self.copy_number.clicked.connect(lambda: self.copy_requested.emit(self.number.text()))
        self.copy_key.clicked.connect(lambda: self.copy_requested.emit(self.key.text()))
        self.save.clicked.connect(self.save_requested)
        self.remember.toggled.connect(self.remember_toggled)
        self.check.clicked.connect(self.check_requested)

    def _big_value(self, name: str) -> QLabel:
        label = QLabel()
        set_scaled_font(label, 2.0, bold=True, monospace=True)
        flags = Qt.TextInteractionFlag
        label.setTextInteractionFlags(flags.TextSelectableByMouse | flags.TextSelectableByKeyboard)
        label.setAccessibleName(name)
        label.setWordWrap(True)
        return label

    def show_case(self, case_number: str, case_key: str, *, added: bool) -> None:
        self.intro.setText(
            "Your fingerprints were added to your case." if added else
            "Your fingerprints were sent. Websites and apps that take part will now look for copies."
        )
        self.number.setText(case_number)
        self.key.setText(case_key)
        self.number.setAccessibleDescription(" ".join(case_number))
        self.key.setAccessibleDescription(" ".join(case_key))

    def on_saved(self, text: str) -> None:
        self.saved.setText(text)

    def set_can_remember(self, allowed: bool) -> None:
        self.remember.setVisible(allowed)

    def reset(self) -> None:
        self.number.clear()
        self.key.clear()
        self.saved.clear()
        self.remember.blockSignals(True)
        self.remember.setChecked(False)
        self.remember.blockSignals(False)

    def focus_first(self) -> None:
        self.copy_number.setFocus()
