"""The app's language on the Qt side: Qt's own catalogue for its dialogs, and mirroring for Arabic and Urdu.

:func:`apply_language` switches everything at once and sends ``QEvent.LanguageChange`` to every window, so the
screen on show is translated again where it is, with nothing the person did lost.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from . import i18n
from .i18n import Language

__all__ = ["apply_language", "qt_catalogue_exists", "system_language"]

_translators: list[QTranslator] = []


def system_language() -> Language:
    """The first of the system's preferred languages that Takeback ships; English when none is."""
    for tag in QLocale.system().uiLanguages():
        language = i18n.find(tag)
        if language is not None and language is not i18n.PSEUDO:
            return language
    return i18n.from_environment()


def qt_catalogue_exists(language: Language) -> bool:
    """Qt ships its own translations for some of our languages only (not Hindi, Vietnamese or Urdu)."""
    return QTranslator().load(f"qtbase_{language.code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def apply_language(language: Language) -> None:
    """Makes the whole app speak ``language`` now, Qt's own dialogs included."""
    i18n.use(language)
    app = QCoreApplication.instance()
    if app is None:
        return
    for translator in _translators:
        app.removeTranslator(translator)
    _translators.clear()
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language.code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        _translators.append(translator)
    QLocale.setDefault(QLocale("en" if language is i18n.PSEUDO else language.tag))
    if isinstance(app, QApplication):
        app.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if language.right_to_left else Qt.LayoutDirection.LeftToRight
        )
        # Synchronously, so the screen is already translated when this returns (Qt's own is posted).
        for window in app.topLevelWidgets():
            QCoreApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
