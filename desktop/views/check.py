"""Check a case: number and key in, plain-word status and platform feedback out; add more, or withdraw."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from ..i18n import N_
from .common import Screen, Source, button, note, paragraph, show
from .live import announce, text_of

__all__ = ["CheckScreen"]


class CheckScreen(Screen):
    """Signals:
    check_requested(str, str): case number and key as typed.
    recall_requested(): fill in a case this computer remembers (not offered on shared computers).
    add_more_requested(), withdraw_requested(), back_requested()
    """

    check_requested = Signal(str, str)
    recall_requested = Signal()
    add_more_requested = Signal()
    withdraw_requested = Signal()
    back_requested = Signal()

    def __init__(self, *, can_recall: bool, parent: QWidget | None = None) -> None:
        super().__init__(N_("Check your case"), parent)
        self.body.addWidget(
            paragraph(N_("Type the case number and the key you were given when you sent your fingerprints."))
        )
        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText("ABC-DEF-GH23")
        show(self.number, N_("Case number"), "accessibleName")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        show(self.key, N_("Case key"), "accessibleName")
        for field in (self.number, self.key):
            # Case numbers and keys are typed and read left to right in every language.
            field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.show_key = QCheckBox()
        show(self.show_key, N_("Show the key"))
        number_label, key_label = QLabel(), QLabel()
        show(number_label, N_("Case number"))
        show(key_label, N_("Case key"))
        form.addRow(number_label, self.number)
        form.addRow(key_label, self.key)
        form.addRow("", self.show_key)
        self.body.addLayout(form)
        recall_row = QHBoxLayout()
        self.recall = button(N_("Use a case this computer remembers…"))
        self.remembered = QComboBox()
        self.remembered.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        show(self.remembered, N_("Cases this computer remembers"), "accessibleName")
        self.remembered.hide()
        recall_row.addWidget(self.recall)
        recall_row.addWidget(self.remembered)
        recall_row.addStretch(1)
        self.body.addLayout(recall_row)
        self._remembered: list[tuple[str, str]] = []
        self.set_can_recall(can_recall)
        self.check = button(N_("Check"), default=True)
        self.body.addWidget(self.check)
        self.problem = note()
        self.problem.hide()
        self.body.addWidget(self.problem)
        # No fixed accessible names here: a screen reader reads the sentence itself.
        self.status = paragraph()
        show(self.status, N_("Case status"), "accessibleDescription")
        self.feedback = paragraph()
        show(self.feedback, N_("What websites and apps reported"), "accessibleDescription")
        self.body.addWidget(self.status)
        self.body.addWidget(self.feedback)
        self.body.addStretch(1)
        self.back = button(N_("Back to the start"))
        self.add_more = button(N_("Add more photos or videos to this case"))
        self.withdraw = button(N_("Withdraw this case…"), N_("Ask websites and apps to delete this case's fingerprints"))
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.withdraw)
        self.buttons.addWidget(self.add_more)

        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.recall.clicked.connect(self.recall_requested)
        self.remembered.activated.connect(self._on_remembered_activated)
        self.check.clicked.connect(self._on_check_clicked)
        self.add_more.clicked.connect(self.add_more_requested)
        self.withdraw.clicked.connect(self.withdraw_requested)
        self.back.clicked.connect(self.back_requested)
        self.reset()

    def _on_show_key_toggled(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def _on_check_clicked(self) -> None:
        number, key = self.number.text().strip(), self.key.text().strip()
        if not number or not key:
            self.show_problem(N_("Type both the case number and the key."))
            return
        self.show_problem("")
        self.check.setEnabled(False)
        self.show_busy(N_("Checking…"))
        self.check_requested.emit(number, key)

    def set_can_recall(self, allowed: bool) -> None:
        self.recall.setVisible(allowed)
        if not allowed:
            self.show_remembered([])

    def show_remembered(self, cases: list[tuple[str, str]]) -> None:
        """Lists remembered case numbers (never keys) and fills in the newest."""
        self._remembered = list(reversed(cases))
        self.remembered.clear()
        self.remembered.addItems([number for number, _key in self._remembered])
        self.remembered.setVisible(bool(cases))
        if cases:
            self._on_remembered_activated(0)
        elif self.recall.isVisible():
            self.show_problem(N_("This computer does not remember any case. Type the number and key instead."))

    def _on_remembered_activated(self, index: int) -> None:
        if 0 <= index < len(self._remembered):
            self.fill(*self._remembered[index])

    def fill(self, case_number: str, case_key: str) -> None:
        self.number.setText(case_number)
        self.key.setText(case_key)

    def show_busy(self, text: Source) -> None:
        """A short "Checking…" or "Withdrawing…" while the service answers."""
        show(self.status, text)
        show(self.feedback, "")
        announce(self, self.status.text())

    def show_status(self, status_text: Source, feedback: Source, *, active: bool) -> None:
        """The case's state and what platforms reported, as sentences built in the current language."""
        self.check.setEnabled(True)
        self.show_problem("")
        show(self.status, status_text)
        show(self.feedback, feedback)
        self.add_more.setVisible(active)
        self.withdraw.setVisible(active)
        announce(self, f"{self.status.text()} {self.feedback.text()}".strip())

    def show_problem(self, text: Source) -> None:
        self.check.setEnabled(True)
        if text:
            show(self.status, "")
            show(self.feedback, "")
        show(self.problem, text)
        self.problem.setVisible(bool(text))
        if text:
            announce(self, text_of(text), urgent=True)

    def reset(self) -> None:
        self._remembered = []
        self.remembered.clear()
        self.remembered.hide()
        self.number.clear()
        self.key.clear()
        self.show_key.setChecked(False)
        show(self.status, "")
        show(self.feedback, "")
        self.problem.hide()
        self.check.setEnabled(True)
        self.add_more.hide()
        self.withdraw.hide()

    def focus_first(self) -> None:
        self.number.setFocus()
