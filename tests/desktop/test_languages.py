"""Languages: complete catalogues with every placeholder kept, words that care, switching in place, right to
left, and the pseudo-locale that shows clipped or untranslated text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from desktop_stubs import StubBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from desktop import i18n
from desktop.languages import apply_language
from desktop.window import MainWindow, Page

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import translations  # noqa: E402

SHIPPED = [language for language in i18n.LANGUAGES if language.code != "en"]

#: Words that blame the person or mislead them, in the source language and each translation. "Revenge porn"
#: frames abuse as the person's doing and as pornography; "leaked" and "you should have" blame them.
BLAMING = {
    "en": ["revenge porn", "you should have", "your fault", "you shouldn't have", "you should not have",
           "leaked", "careless", "guaranteed", "delete it from the internet", "delete it everywhere"],
    "es": ["porno venganza", "pornografía de venganza", "tu culpa", "deberías haber"],
    "pt_BR": ["pornografia de vingança", "pornô de vingança", "sua culpa", "você deveria ter"],
    "fr": ["revenge porn", "porno de vengeance", "ta faute", "votre faute", "vous auriez dû", "tu aurais dû"],
    "de": ["rachepornos", "racheporno", "deine schuld", "ihre schuld", "hättest du"],
    "ar": ["إباحية انتقامية", "ذنبك", "خطؤك"],
    "hi": ["रिवेंज पोर्न", "आपकी गलती", "तुम्हारी गलती"],
    "zh_CN": ["复仇色情", "你的错"],
    "vi": ["khiêu dâm trả thù", "lỗi của bạn"],
    "ur": ["انتقامی فحش", "آپ کی غلطی"],
}


def test_the_template_holds_every_message_of_the_source() -> None:
    committed = {m.id if isinstance(m.id, str) else m.id[0] for m in translations.read(translations.TEMPLATE) if m.id}
    catalog = translations.extract(write=False)
    current = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert current == committed, "run: python tools/translations.py extract && python tools/translations.py update"


def test_no_library_message_is_built_from_pieces() -> None:
    """A message of ``hashing``/``client_api`` built with an f-string, ``.format``, ``%`` or ``+`` is not in the
    catalogue, so it stays English in every language: it must be a ``*_TEMPLATE`` raised with ``from_template``."""
    assert translations.unbuilt_library_messages() == [], (
        "give the message a *_TEMPLATE constant and raise Error.from_template(TEMPLATE, **fields)"
    )


def test_library_messages_with_fields_are_translated_and_filled_in() -> None:
    from client_api.errors import IncompleteSubmission, InvalidCaseKey, InvalidCaseNumber, RequestRejected
    from client_api.errors import TooManyAttempts
    from client_api.keys import normalise_case_key, normalise_case_number
    from hashing.errors import InvalidTmk
    from hashing.tmk import TmkHash

    def raised(call, *args) -> BaseException:
        with pytest.raises((InvalidCaseKey, InvalidCaseNumber, InvalidTmk)) as caught:
            call(*args)
        return caught.value

    errors = [
        TooManyAttempts(600), IncompleteSubmission(None, 3, 7), RequestRejected(400, "x", "Too big"),  # type: ignore[arg-type]
        raised(normalise_case_key, "ABC"), raised(normalise_case_key, "AB\x00C"), raised(normalise_case_number, "A0C"),
        raised(TmkHash.from_bytes, b"x" * 10), InvalidTmk("its frame count is negative"),
    ]
    try:
        i18n.use(i18n.find("de"))
        german = [i18n.translate_error(error) for error in errors]
    finally:
        i18n.use(i18n.ENGLISH)
    assert all(error.template and error.params for error in errors)
    assert [i18n.translate_error(error) for error in errors] == [str(error) for error in errors]
    assert german[0] == ("Es gab zu viele Versuche für diesen Fall. Warte etwa 10 Minuten und versuche es dann "
                         "noch einmal. Dein Fall ist sicher.")
    assert "nur die Fingerabdrücke von 3 von 7 Dateien" in german[1] and "Too big" in german[2]
    assert "hat 26 Buchstaben und Ziffern, aber dieser hat 3" in german[3]
    assert "einige Sonderzeichen" in german[4] and "enthält 0, was Fallnummern nicht haben" in german[5]
    assert "nur 10 Bytes groß" in german[6] and "Video-Fingerabdruck-Datei" in german[7]
    assert not any(text == str(error) for text, error in zip(german, errors))


@pytest.mark.parametrize("language", SHIPPED, ids=lambda lang: lang.code)
def test_every_message_is_translated_with_its_placeholders(language: i18n.Language) -> None:
    template = translations.read(translations.TEMPLATE)
    po = translations.LOCALE_DIR / language.code / "LC_MESSAGES" / "takeback.po"
    catalog = translations.read(po, language.code)
    missing, altered = [], []
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id)
        if message is None or not translations.translated(message):
            missing.append(source.id)
            continue
        ids = source.id if isinstance(source.id, (list, tuple)) else [source.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = translations.placeholders(ids[-1])
        for text in strings:
            # A language with one plural form may leave the count out of its only form ("{n}" in both ids).
            if translations.placeholders(text) != wanted and not (len(strings) == 1 and len(ids) == 2
                                                                    and set(translations.placeholders(text)) <= set(wanted)):
                altered.append((ids[0], text))
        if isinstance(source.id, (list, tuple)):
            assert len(strings) == catalog.num_plurals, f"{language.code}: plural forms of {ids[0]!r}"
    assert not missing, f"{language.code}: {len(missing)} untranslated, first: {missing[:3]}"
    assert not altered, f"{language.code}: placeholders dropped or altered: {altered[:3]}"


@pytest.mark.parametrize("code", sorted(BLAMING))
def test_no_blaming_or_misleading_words(code: str) -> None:
    if code == "en":
        texts = [m.id if isinstance(m.id, str) else " ".join(m.id) for m in translations.read(translations.TEMPLATE)]
    else:
        catalog = translations.read(translations.LOCALE_DIR / code / "LC_MESSAGES" / "takeback.po", code)
        texts = [m.string if isinstance(m.string, str) else " ".join(m.string) for m in catalog if m.id]
    found = [(word, text) for text in texts for word in BLAMING[code] if word in text.lower()]
    assert not found


def test_what_takeback_cannot_do_is_said_on_the_first_and_the_case_screen(qtbot, make_window) -> None:
    window = make_window(StubBackend())
    for screen in (window.welcome, window.case):
        words = " ".join(label.text() for label in screen.findChildren(QLabel)).lower()
        assert "take part" in words, "only participating platforms"
        assert "edited" in words or "changed a lot" in words, "edited copies may not match"
        assert "cannot delete" in words, "what is already on a device"


def test_switching_translates_the_screen_in_place_and_keeps_what_was_typed(qtbot, make_window) -> None:
    window = make_window(StubBackend())
    window.go(Page.CHECK)
    window.check.fill("ABC-DEF-GH23", "secret")
    window.check.show_problem(i18n.N_("Type both the case number and the key."))
    window.set_language(i18n.find("es"))
    assert window.page is Page.CHECK
    assert window.check.title.text() == i18n._("Check your case") != "Check your case"
    assert window.check.problem.text() == i18n._("Type both the case number and the key.")
    assert window.check.number.text() == "ABC-DEF-GH23" and window.check.key.text() == "secret"
    assert window.language_menu.currentText() == "Español" == window.welcome.language_menu.currentText()
    assert window.windowTitle().endswith(window.check.title.text())


def test_arabic_and_urdu_mirror_the_layout_but_not_case_numbers(qtbot, make_window) -> None:
    window = make_window(StubBackend())
    window.case.show_case("ABC-DEF-GH23", "K3Y12-ABCDE", added=False)
    for code in ("ar", "ur"):
        window.set_language(i18n.find(code))
        assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert window.case.layoutDirection() == Qt.LayoutDirection.RightToLeft
        for value in (window.case.number, window.case.key, window.check.number, window.check.key):
            assert value.layoutDirection() == Qt.LayoutDirection.LeftToRight
        assert "ABC-DEF-GH23" in window.case.number.accessibleName()
    window.set_language(i18n.find("de"))
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_shared_computer_mode_remembers_no_language(qtbot, make_window) -> None:
    window = make_window(StubBackend(), shared=True)
    window.set_language(i18n.find("fr"))
    assert not window.settings.persistent


def _visible_texts(window: MainWindow) -> list[tuple[QWidget, str]]:
    out = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)) and widget.text() and widget is not window.case.number \
                and widget is not window.case.key:
            out.append((widget, widget.text()))
    return out


def _settle() -> None:
    """Delivers the font, language and layout events a change posts, and those they post in turn."""
    for _ in range(10):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def _clipped(widget: QWidget) -> bool:
    if (isinstance(widget, QLabel) and widget.wordWrap()) or (
        isinstance(widget, QAbstractButton) and widget.hasHeightForWidth()
    ):
        return widget.heightForWidth(widget.width()) > widget.height() + 1
    needed = widget.sizeHint().width() if isinstance(widget, QAbstractButton) else \
        widget.fontMetrics().horizontalAdvance(widget.text()) + 2 * widget.margin()
    return needed > widget.width() + 1


@pytest.mark.parametrize(
    ("size", "larger_text"),
    [((1366, 768), False), ((683, 360), True)],
    ids=["1366x768", "200%-scale-on-1366x768-with-larger-text"],
)
def test_pseudo_locale_nothing_clipped_nothing_untranslated(qtbot, make_window, size, larger_text) -> None:
    """At 200% scaling a 1366x768 screen is 683x384 logical pixels (less a taskbar): every screen must still
    show all of its text, with "Larger text" on, in the pseudo-locale's 40% longer words."""
    from test_accessibility import fill_every_screen

    window = make_window(StubBackend())
    if larger_text:
        window.welcome.larger_text.setChecked(True)
    window.setMinimumSize(0, 0)
    window.resize(*size)
    apply_language(i18n.PSEUDO)
    assert window.minimumSizeHint().width() <= size[0] and window.minimumSizeHint().height() <= size[1]
    untranslated, clipped, checked = set(), set(), 0
    for page in fill_every_screen(window):
        _settle()
        for widget, text in _visible_texts(window):
            checked += 1
            if widget.window() is not window or not window.screens[page].isAncestorOf(widget) and not window.header.isAncestorOf(widget):
                continue
            plain = text.replace("&", "")
            if plain not in {"Takeback"} and not re.search(r"\[.*~\]", plain, re.S) and plain.strip():
                untranslated.add(f"{page.name}: {plain[:60]}")
            if _clipped(widget):
                clipped.add(f"{page.name}: {plain[:60]}")
    assert checked > 60, "the walk saw every screen's texts"
    assert not clipped
    # Sentences the test filled in by hand (not from the catalogue) are the only English allowed.
    allowed = ("This case is active.", "No website or app", "Takeback could not reach")
    assert not [t for t in untranslated if not any(a in t for a in allowed)]
    assert window.width() <= size[0] and window.height() <= size[1]


def test_file_list_and_its_notes_follow_the_language(qtbot, make_window, tmp_path) -> None:
    """Each file's kind, state and note (a hashing error, as the library wrote it) in the chosen language."""
    from PySide6.QtCore import Qt as QtCore

    from desktop.messages import describe_error
    from desktop.models import Column, FileEntry, FileKind, FileState
    from hashing.errors import EmptyFile

    window = make_window(StubBackend())
    files = window.controller.fingerprinting.files
    files.add([FileEntry(tmp_path / "empty.jpg", 0, FileKind.PHOTO, FileState.FAILED,
                         message=describe_error(EmptyFile()))])
    window.set_language(i18n.find("es"))
    cell = lambda column: files.data(files.index(0, column))  # noqa: E731
    assert cell(Column.KIND) == "Foto" and cell(Column.STATE) == "No se pudo usar"
    assert cell(Column.MESSAGE).startswith("Este archivo está vacío")
    assert files.headerData(Column.STATE, QtCore.Orientation.Horizontal) == "Estado"
    spoken = files.data(files.index(0, Column.NAME), QtCore.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("empty.jpg: No se pudo usar. Este archivo está vacío")


@pytest.mark.parametrize(("code", "cancel"), [("de", "Abbrechen"), ("ar", "ألغِ"), ("zh_CN", "取消"), ("hi", "Cancel")])
def test_qt_own_dialogs_speak_the_same_language(qapp, code: str, cancel: str) -> None:
    """Qt's file dialog and standard buttons use Qt's catalogue for the language (Qt has none for Hindi,
    Vietnamese or Urdu: there they stay English, as docs/translations.md says)."""
    from PySide6.QtCore import QCoreApplication

    from desktop.languages import qt_catalogue_exists

    language = i18n.find(code)
    apply_language(language)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == cancel
    assert qt_catalogue_exists(language) is (code != "hi")
