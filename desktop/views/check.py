"""Check a case: number and key in, plain-word status and platform feedback out; add more, or withdraw."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QWidget

from .common import Screen, button, note, paragraph

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
        super().__init__("Check your case", parent)
        self.body.addWidget(
            paragraph("Type the case number and the key you were given when you sent your fingerprints.")
        )
        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText("ABC-DEF-GH23")
        self.number.setAccessibleName("Case number")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName("Case key")
        self.show_key = QCheckBox("Show the key")
        form.addRow("Case number", self.number)
        form.addRow("Case key", self.key)
        form.addRow("", self.show_key)
        self.body.addLayout(form)
        recall_row = QHBoxLayout()
        self.recall = button("Use a case this computer remembers…")
        self.remembered = QComboBox()
        self.remembered.setAccessibleName("Cases this computer remembers")
        self.remembered.hide()
        recall_row.addWidget(self.recall)
        recall_row.addWidget(self.remembered)
        recall_row.addStretch(1)
        self.body.addLayout(recall_row)
        self._remembered: list[tuple[str, str]] = []
        self.set_can_recall(can_recall)
        self.check = button("Check", default=True)
        self.body.addWidget(self.check)
        self.problem = note()
        self.problem.hide()
        self.body.addWidget(self.problem)
        self.status = paragraph()
        self.status.setAccessibleName("Case status")
        self.feedback = paragraph()
        self.feedback.setAccessibleName("What websites and apps reported")
        self.body.addWidget(self.status)
        self.body.addWidget(self.feedback)
        self.body.addStretch(1)
        self.back = button("Back to the start")
        self.add_more = button("Add more photos or videos to this case")
        self.withdraw = button("Withdraw this case…", "Ask websites and apps to delete this case's fingerprints")
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.withdraw)
        self.buttons.addWidget(self.add_more)

        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.recall.clicked.connect(self.recall_requested)
        self.remembered.activated.connect(self._on_remembered_activated)
        self.check.clicked.connect(self._on_check_clicked)
        self.number.returnPressed.connect(self._on_check_clicked)
        self.key.returnPressed.connect(self._on_check_clicked)
        self.add_more.clicked.connect(self.add_more_requested)
        self.withdraw.clicked.connect(self.withdraw_requested)
        self.back.clicked.connect(self.back_requested)
        self.reset()

    def _on_show_key_toggled(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def _on_check_clicked(self) -> None:
        number, key = self.number.text().strip(), self.key.text().strip()
        if not number or not key:
            self.show_problem("Type both the case number and the key.")
            return
        self.show_problem("")
        self.check.setEnabled(False)
        self.status.setText("Checking…")
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
            self.show_problem("This computer does not remember any case. Type the number and key instead.")

    def _on_remembered_activated(self, index: int) -> None:
        if 0 <= index < len(self._remembered):
            self.fill(*self._remembered[index])

    def fill(self, case_number: str, case_key: str) -> None:
        self.number.setText(case_number)
        self.key.setText(case_key)

    def show_status(self, status_text: str, feedback: list[str], *, active: bool) -> None:
        self.check.setEnabled(True)
        self.show_problem("")
        self.status.setText(status_text)
        self.feedback.setText("\n".join(feedback))
        self.add_more.setVisible(active)
        self.withdraw.setVisible(active)

    def show_problem(self, text: str) -> None:
        self.check.setEnabled(True)
        if text:
            self.status.setText("")
            self.feedback.setText("")
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def reset(self) -> None:
        self._remembered = []
        self.remembered.clear()
        self.remembered.hide()
        self.number.clear()
        self.key.clear()
        self.show_key.setChecked(False)
        self.status.clear()
        self.feedback.clear()
        self.problem.hide()
        self.check.setEnabled(True)
        self.add_more.hide()
        self.withdraw.hide()

    def focus_first(self) -> None:
        self.number.setFocus()
