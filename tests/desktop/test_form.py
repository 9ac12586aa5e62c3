"""Form: every control is reachable by keyboard and named for screen readers; text size follows the setting;
the crash handler logs without file names and tells the person calmly."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QTableView, QWidget

from desktop.app import install_crash_handler, safe_traceback, setup_logging
from desktop.window import Page


def _inside_a_table(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QTableView):
            return True
        parent = parent.parentWidget()
    return False


def _controls(screen: QWidget) -> list[QWidget]:
    """What a person operates: buttons, boxes, text fields and the file tables (not their headers)."""
    kinds = (QAbstractButton, QLineEdit, QTableView, QPlainTextEdit)
    return [w for w in screen.findChildren(QWidget) if isinstance(w, kinds) and not _inside_a_table(w)]


def test_every_control_is_keyboard_reachable_and_named(make_window, stub_backend):
    window = make_window(stub_backend)
    for screen in window.screens:
        for control in _controls(screen):
            assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, (screen.accessibleName(), control)
            name = control.accessibleName() or (control.text() if isinstance(control, QAbstractButton) else "")
            assert name.strip(), (screen.accessibleName(), control)
    assert window.quick_exit_button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_tab_order_on_the_welcome_screen_follows_reading_order(qtbot, make_window, stub_backend):
    window = make_window(stub_backend)
    window.go(Page.WELCOME)
    window.welcome.adult.click()
    visited = []
    window.welcome.under_18.setFocus()
    for _ in range(12):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        visited.append(window.focusWidget())
    order = [window.welcome.shared_box, window.welcome.larger_text, window.welcome.check_button,
             window.welcome.start_button]
    positions = [visited.index(widget) for widget in order]
    assert positions == sorted(positions)
    assert window.quick_exit_button in visited and window.start_over_button in visited


def test_larger_text_scales_headings(make_window, stub_backend):
    window = make_window(stub_backend)
    before = window.welcome.title.font().pointSizeF()
    window.welcome.larger_text.setChecked(True)
    assert window.welcome.title.font().pointSizeF() > before * 1.2
    window.welcome.larger_text.setChecked(False)
    assert abs(window.welcome.title.font().pointSizeF() - before) < 0.01


def test_tracebacks_in_logs_never_carry_messages_or_paths():
    try:
        open("/home/someone/Pictures/secret-photo.jpg", "rb")  # noqa: SIM115
    except OSError:
        exc_type, _exc, tb = sys.exc_info()
        text = safe_traceback(exc_type, tb)
    assert "secret-photo" not in text and "/home/someone" not in text
    assert "FileNotFoundError" in text and "test_form.py" in text


def test_crash_handler_logs_safely_and_keeps_running(caplog, monkeypatch):
    shown = []
    monkeypatch.setattr("desktop.app.QMessageBox.warning", lambda *args: shown.append(args))
    previous_hook, root = sys.excepthook, logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup_logging()
        root.addHandler(caplog.handler)
        install_crash_handler(lambda: None)
        try:
            raise ValueError("/home/someone/Pictures/secret-photo.jpg")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous_hook
        root.handlers[:] = handlers
        root.setLevel(level)
    assert "unexpected error" in caplog.text and "ValueError" in caplog.text
    assert "secret-photo" not in caplog.text
    assert shown == []  # no window visible: nothing to put a dialog on
