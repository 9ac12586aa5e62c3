"""The language menu: every shipped language, each named in itself ("Español", "العربية")."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from .. import i18n
from ..i18n import LANGUAGES, N_
from .live import show

__all__ = ["LanguageMenu", "language_label"]


class LanguageMenu(QComboBox):
    """Every shipped language, each written in itself, so a person can find theirs whatever is on screen.

    Signals:
        chosen(object): the person picked a :class:`~desktop.i18n.Language`.
    """

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for language in LANGUAGES:
            self.addItem(language.name, language.code)
            # Each name is read in its own language by screen readers that can switch voices.
            self.setItemData(self.count() - 1, language.tag, Qt.ItemDataRole.AccessibleDescriptionRole)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        show(self, N_("Language"), "accessibleName")
        show(self, N_("Choose the language Takeback uses"), "toolTip")
        self._follow()
        self.activated.connect(self._on_activated)

    def _follow(self) -> None:
        index = self.findData(i18n.current().code)
        self.blockSignals(True)
        self.setCurrentIndex(max(index, 0) if i18n.current() is not i18n.PSEUDO else 0)
        self.blockSignals(False)

    def _on_activated(self, index: int) -> None:
        code = self.itemData(index)
        language = next(language for language in LANGUAGES if language.code == code)
        if language is not i18n.current():
            self.chosen.emit(language)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self._follow()
        super().changeEvent(event)


def language_label(menu: LanguageMenu) -> QLabel:
    """The menu's visible label. Screen readers on Linux read a combo box's current item as its name and find
    what it is for through this label (Orca's "labelled by"), so the menu is never just "English, combo box"."""
    label = QLabel()
    show(label, N_("Language"))
    label.setBuddy(menu)
    return label
