"""The window's safety features on real widgets: quick exit, start over, shared-computer mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from desktop_stubs import CASE_NUMBER
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

import desktop.settings
from desktop.models import FileState
from desktop.settings import Settings
from desktop.window import MainWindow, Page


def _review_one_photo(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """Chooses the adult programme, adds one stand-in photo, fingerprints it and goes on to the review."""
    window.welcome.adult.click()
    window.welcome.start_button.click()
    _fingerprint_one_photo(qtbot, window, tmp_path)


def _fingerprint_one_photo(qtbot, window: MainWindow, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"x")
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=5000):
        window.choose.paths_dropped.emit([photo])
    with qtbot.waitSignal(window.controller.fingerprinting.hashing_finished, timeout=5000):
        qtbot.mouseClick(window.choose.next, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.fingerprint.next, Qt.MouseButton.LeftButton)
    assert window.page is Page.REVIEW


def _walk_to_case(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """Drives the stand-in journey through the real screens, clicking like a person would."""
    window.welcome.adult.setFocus()
    qtbot.keyClick(window.welcome.adult, Qt.Key.Key_Space)
    qtbot.mouseClick(window.welcome.start_button, Qt.MouseButton.LeftButton)
    assert window.page is Page.CHOOSE
    _fingerprint_one_photo(qtbot, window, tmp_path)
    qtbot.mouseClick(window.review.show_payload, Qt.MouseButton.LeftButton)
    assert window.review.payload.toPlainText()
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.sent, timeout=5000):
        qtbot.mouseClick(window.review.send, Qt.MouseButton.LeftButton)
    assert window.page is Page.CASE


def test_quick_exit_hides_drops_state_and_clears_our_clipboard(qtbot, make_window, stub_backend, tmp_path):
    window = make_window(stub_backend)
    _walk_to_case(qtbot, window, tmp_path)
    qtbot.mouseClick(window.case.copy_key, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == window.case.key.text() != ""
    with qtbot.waitSignal(window.exited, timeout=1000):
        qtbot.mouseClick(window.quick_exit_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert QGuiApplication.clipboard().text() == ""
    assert window.controller.case.credentials is None and window.controller.fingerprinting.files.rowCount() == 0
    assert window.case.key.text() == "" and window.case.number.text() == ""


def test_quick_exit_leaves_other_clipboard_text_alone(qtbot, make_window, stub_backend):
    window = make_window(stub_backend)
    QGuiApplication.clipboard().setText("someone else's text")
    with qtbot.waitSignal(window.exited, timeout=1000):
        qtbot.mouseClick(window.quick_exit_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "someone else's text"


@pytest.mark.parametrize("keys", ["ctrl+shift+q", "escape twice"])
def test_quick_exit_shortcuts(qtbot, make_window, stub_backend, keys):
    window = make_window(stub_backend)
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None, timeout=2000)
    target = QGuiApplication.focusWindow()
    with qtbot.waitSignal(window.exited, timeout=2000):
        if keys == "ctrl+shift+q":
            modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            qtbot.keyClick(target, Qt.Key.Key_Q, modifiers)
        else:
            qtbot.keyClick(target, Qt.Key.Key_Escape)
            qtbot.keyClick(target, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_one_escape_does_not_exit(qtbot, make_window, stub_backend):
    window = make_window(stub_backend)
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None, timeout=2000)
    with qtbot.assertNotEmitted(window.exited, wait=200):
        qtbot.keyClick(QGuiApplication.focusWindow(), Qt.Key.Key_Escape)
    assert window.isVisible()


def test_start_over_clears_every_screen_for_the_next_person(qtbot, make_window, stub_backend, tmp_path, monkeypatch):
    window = make_window(stub_backend)
    _walk_to_case(qtbot, window, tmp_path)
    qtbot.mouseClick(window.case.copy_number, Qt.MouseButton.LeftButton)
    asked = []
    monkeypatch.setattr(window, "confirm", lambda *args: asked.append(args) or True)
    with qtbot.waitSignal(window.controller.was_reset, timeout=1000):
        qtbot.mouseClick(window.start_over_button, Qt.MouseButton.LeftButton)
    assert asked, "starting over with a case on screen asks first"
    assert window.page is Page.WELCOME
    assert window.welcome.chosen_age() is None and not window.welcome.start_button.isEnabled()
    assert window.controller.fingerprinting.files.rowCount() == 0 and window.controller.case.credentials is None
    assert not window.review.consent.isChecked() and not window.review.attestation.isChecked()
    assert window.review.payload.toPlainText() == "" and window.review.payload.isHidden()
    assert window.case.number.text() == "" and window.case.key.text() == ""
    assert window.check.number.text() == "" and window.check.key.text() == ""
    assert QGuiApplication.clipboard().text() == ""


def test_start_over_refused_keeps_everything(qtbot, make_window, stub_backend, tmp_path, monkeypatch):
    window = make_window(stub_backend)
    _walk_to_case(qtbot, window, tmp_path)
    monkeypatch.setattr(window, "confirm", lambda *args: False)
    with qtbot.assertNotEmitted(window.controller.was_reset):
        qtbot.mouseClick(window.start_over_button, Qt.MouseButton.LeftButton)
    assert window.page is Page.CASE and window.case.key.text()
    assert [e.state for e in window.controller.fingerprinting.files.entries] == [FileState.SENT]


def test_shared_mode_never_touches_settings_or_keyring_and_uses_qt_dialogs(
    qtbot, make_window, stub_backend, tmp_path, monkeypatch
):
    class NoSettings(QSettings):
        """Only the static path set-up (which sends Qt's own files to a temporary folder) is allowed."""

        def __init__(self, *_args, **_kwargs) -> None:
            raise AssertionError("QSettings used in shared-computer mode")

    monkeypatch.setattr(desktop.settings, "QSettings", NoSettings)
    window = make_window(stub_backend, shared=True)
    assert window.settings.shared and not window.settings.persistent
    assert not window.welcome.shared_box.isEnabled(), "--shared cannot be switched off from inside"
    window.welcome.larger_text.setChecked(True)  # a display preference: kept in memory only
    assert window._dialog_options() & QFileDialog.Option.DontUseNativeDialog
    _walk_to_case(qtbot, window, tmp_path)
    assert window.case.remember.isHidden()
    assert "remember" not in [name for name, _ in stub_backend.calls]
    assert window.shared_label.text()
    window.welcome.larger_text.setChecked(False)


def test_turning_on_shared_mode_hides_remember_and_stops_writing(qtbot, make_window, stub_backend, settings_path):
    window = make_window(stub_backend)
    assert not window.settings.shared and window.case.remember.isVisibleTo(window.case)
    window.welcome.shared_box.setChecked(True)
    assert window.settings.shared and not window.settings.persistent
    assert not window.case.remember.isVisibleTo(window.case)
    before = Path(settings_path).read_text()
    window.welcome.larger_text.setChecked(True)
    window.welcome.larger_text.setChecked(False)
    assert Path(settings_path).read_text() == before
    reopened = Settings(path=settings_path)
    assert reopened.shared and not reopened.persistent, "the next start is in shared-computer mode too"
    reopened.close()


def test_closing_with_an_unsaved_key_asks_first(qtbot, make_window, stub_backend, tmp_path, monkeypatch):
    window = make_window(stub_backend)
    _walk_to_case(qtbot, window, tmp_path)
    asked = []
    monkeypatch.setattr(window, "confirm", lambda *args: asked.append(args) or False)
    window.close()
    assert asked and window.isVisible() and window.case.key.text()
    qtbot.mouseClick(window.case.copy_key, Qt.MouseButton.LeftButton)
    asked.clear()
    window.close()
    assert not asked and not window.isVisible()
    assert QGuiApplication.clipboard().text() == ""


def test_dropping_files_and_folders_adds_them(qtbot, make_window, stub_backend, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window(stub_backend)
    window.welcome.adult.click()
    window.welcome.start_button.click()
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "inside.jpg").write_bytes(b"x")
    single = tmp_path / "single.mp4"
    single.write_bytes(b"x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder)), QUrl.fromLocalFile(str(single))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=5000) as added:
        window.choose.dropEvent(drop)
    assert added.args == [2]
    assert sorted(e.name for e in window.controller.fingerprinting.files.entries) == ["inside.jpg", "single.mp4"]
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=5000) as added:
        window.choose.dropEvent(drop)  # the same again: nothing new, and the person is told
    assert added.args == [0] and "No new photos or videos" in window.choose.problem.text()
    assert all(e.state is FileState.WAITING for e in window.controller.fingerprinting.files.entries)


def test_remember_and_recall_only_when_asked_and_never_in_shared_mode(qtbot, make_window, stub_backend, tmp_path):
    window = make_window(stub_backend)
    _walk_to_case(qtbot, window, tmp_path)
    assert not [name for name, _ in stub_backend.calls if name in ("remember", "recall")]
    with qtbot.waitSignal(window.controller.case.remembered, timeout=5000):
        window.case.remember.setChecked(True)
    window.start_over()
    window.welcome.check_button.click()
    assert window.check.recall.isVisible()
    with qtbot.waitSignal(window.controller.case.recalled, timeout=5000):
        qtbot.mouseClick(window.check.recall, Qt.MouseButton.LeftButton)
    assert window.check.number.text() == CASE_NUMBER and window.check.key.text()
    assert window.check.remembered.currentText() == CASE_NUMBER

    window.welcome.shared_box.setChecked(True)
    assert window.check.recall.isHidden() and window.check.remembered.isHidden()


def test_low_quality_photos_get_a_gentle_note_and_are_still_sent(qtbot, make_window, stub_backend, tmp_path):
    from desktop_stubs import LOW_QUALITY_WORDS

    window = make_window(stub_backend)
    window.welcome.adult.click()
    window.welcome.start_button.click()
    paths = [tmp_path / "dark.jpg", tmp_path / "fine.jpg"]
    for path in paths:
        path.write_bytes(b"x")
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=5000):
        window.choose.paths_dropped.emit(paths)
    with qtbot.waitSignal(window.controller.fingerprinting.hashing_finished, timeout=5000) as finished:
        qtbot.mouseClick(window.choose.next, Qt.MouseButton.LeftButton)
    assert finished.args == [2, 0]
    dark = window.controller.fingerprinting.files.entries[0]
    assert dark.state is FileState.READY_WITH_WARNING and dark.message == LOW_QUALITY_WORDS
    qtbot.mouseClick(window.fingerprint.next, Qt.MouseButton.LeftButton)
    assert window.review.low_quality.isVisible() and "1 of them" in window.review.low_quality.text()
    assert "2 photos" in window.review.summary.text()


def test_a_half_sent_case_shows_its_number_and_key_on_the_failure_screen(qtbot, make_window, stub_backend, tmp_path):
    stub_backend.incomplete_before_success = 1
    window = make_window(stub_backend)
    _review_one_photo(qtbot, window, tmp_path)
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.send_failed, timeout=5000):
        qtbot.mouseClick(window.review.send, Qt.MouseButton.LeftButton)
    text = window.send.problem.text()
    assert CASE_NUMBER in text and "ABCDE-FGHJK-MNPQR-STVWX-YZ0123" in text
    with qtbot.waitSignal(window.controller.case.sent, timeout=5000):
        qtbot.mouseClick(window.send.retry, Qt.MouseButton.LeftButton)
    assert window.page is Page.CASE and window.case.number.text() == CASE_NUMBER


def test_quick_exit_while_fingerprinting_stops_the_work(qtbot, make_window, stub_backend, tmp_path):
    import time

    window = make_window(stub_backend)
    window.welcome.adult.click()
    window.welcome.start_button.click()
    slow = [tmp_path / f"slow-{n}.mp4" for n in range(3)]
    for path in slow:
        path.write_bytes(b"x")
    with qtbot.waitSignal(window.controller.fingerprinting.files_added, timeout=5000):
        window.choose.paths_dropped.emit(slow)
    with qtbot.waitSignal(window.controller.fingerprinting.hashing_progressed, timeout=5000, check_params_cb=lambda d, t, f: f > 0):
        qtbot.mouseClick(window.choose.next, Qt.MouseButton.LeftButton)
    started = time.monotonic()
    with qtbot.waitSignal(window.exited, timeout=1000), qtbot.assertNotEmitted(window.controller.fingerprinting.hashing_finished):
        window.quick_exit()
    assert window.controller.runner.wait(5000)
    assert time.monotonic() - started < 5, "the slow files stopped when asked, not after their 10 seconds"
    assert window.controller.fingerprinting.files.rowCount() == 0


def test_turned_and_mirrored_fingerprints_are_sent_unless_the_person_leaves_them_out(
    qtbot, make_window, stub_backend, tmp_path, monkeypatch
):
    import dataclasses

    from desktop.views.review import DIHEDRAL
    from hashing import Dihedral, DihedralPdq, PdqHash

    fingerprint, to_items = stub_backend.fingerprint, stub_backend.to_items
    turns = tuple(DihedralPdq(turn, PdqHash(bytes([n + 1]) * 32, 100)) for n, turn in enumerate(Dihedral))
    monkeypatch.setattr(stub_backend, "fingerprint",
                        lambda *args: dataclasses.replace(fingerprint(*args), dihedral=turns))
    handed_over: list[list] = []
    monkeypatch.setattr(stub_backend, "to_items", lambda results: handed_over.append(results) or to_items(results))
    window = make_window(stub_backend)
    _review_one_photo(qtbot, window, tmp_path)

    box = window.review.dihedral
    assert box.isVisible() and box.isChecked() and box.text() == DIHEDRAL
    assert "10 fingerprints in total" in window.review.summary.text()  # MD5, SHA-256, shown and 7 turned
    qtbot.mouseClick(window.review.show_payload, Qt.MouseButton.LeftButton)
    assert handed_over[-1][0].dihedral == turns
    box.click()
    assert "3 fingerprints in total" in window.review.summary.text()
    assert window.review.payload.isHidden() and window.review.show_payload.isEnabled()  # shown payload is stale
    qtbot.mouseClick(window.review.show_payload, Qt.MouseButton.LeftButton)
    assert handed_over[-1][0].dihedral == ()
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.sent, timeout=5000):
        qtbot.mouseClick(window.review.send, Qt.MouseButton.LeftButton)
    assert handed_over[-1][0].dihedral == ()
    assert not window.controller.fingerprinting.dihedral

    monkeypatch.setattr(window, "confirm", lambda *args: True)
    with qtbot.waitSignal(window.controller.was_reset, timeout=1000):
        qtbot.mouseClick(window.start_over_button, Qt.MouseButton.LeftButton)
    assert window.controller.fingerprinting.dihedral  # the next person starts with the default


def test_after_a_send_that_may_have_reached_the_service_the_turned_box_is_fixed(
    qtbot, make_window, stub_backend, tmp_path
):
    """A retry must repeat the same request, so the choice can no longer change once a send was tried."""
    stub_backend.incomplete_before_success = 1
    window = make_window(stub_backend)
    _review_one_photo(qtbot, window, tmp_path)
    assert window.review.dihedral.isEnabled()
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    with qtbot.waitSignal(window.controller.case.send_failed, timeout=5000):
        qtbot.mouseClick(window.review.send, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.send.back, Qt.MouseButton.LeftButton)
    assert window.page is Page.REVIEW and not window.review.dihedral.isEnabled()
