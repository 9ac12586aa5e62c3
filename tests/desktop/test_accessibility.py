"""What a screen reader and a keyboard user get: names on every control, content in every status, and the
whole journey with key presses alone, on real widgets, real fingerprinting and the real intake service."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop_stubs import StubBackend
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QStyleFactory, QWidget

from desktop.backend import IntakeBackend
from desktop.sessions import ReviewSummary
from desktop.theme import THEMES, Scheme, apply_theme
from desktop.window import MainWindow, Page

NETWORK_TIMEOUT_MS = 30_000
CASE_NUMBER, CASE_KEY = "ABC-DEF-GH23", "K3Y12-ABCDE-FGHJK-LMNPQ-RSTUVW"


def fill_every_screen(window: MainWindow) -> Iterator[Page]:
    """Shows each screen with what a person would see there mid-journey, and yields it."""
    window.case.show_case(CASE_NUMBER, CASE_KEY, added=False)
    window.review.set_summary(ReviewSummary(photos=2, videos=1, fingerprints=5, low_quality=1), under_18=True,
                              adding=False)
    window.fingerprint.on_progressed(1, 3, 0.4)
    window.send.on_failed("Takeback could not reach the service. Check that this computer is online.")
    window.check.show_status("This case is active.", "No website or app has reported a match yet.", active=True)
    for page in Page:
        window.go(page)
        yield page


def focusable(root: QWidget) -> list[QWidget]:
    return [
        w for w in root.findChildren(QWidget)
        if w.isVisibleTo(root) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isWindow() is False
    ]


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(QAccessible.Text.Name).strip()


def test_every_focusable_control_on_every_screen_has_a_name(qtbot, make_window) -> None:
    window = make_window(StubBackend())
    nameless: list[str] = []
    for page in fill_every_screen(window):
        for widget in focusable(window.screens[page]) + focusable(window.header):
            if not accessible_name(widget):
                nameless.append(f"{page.name}: {type(widget).__name__} {widget.objectName()!r}")
    assert not nameless


def test_status_texts_are_read_with_their_content(qtbot, make_window) -> None:
    """The defects the issue heard through AT-SPI: "Case number" without the number, "Case status" without
    the sentence."""
    window = make_window(StubBackend())
    list(fill_every_screen(window))
    assert CASE_NUMBER in accessible_name(window.case.number)
    assert CASE_KEY in accessible_name(window.case.key)
    assert "This case is active." in accessible_name(window.check.status)
    assert "No website or app" in accessible_name(window.check.feedback)
    assert "could not reach" in accessible_name(window.send.problem)
    assert "1 of 3" in accessible_name(window.fingerprint.count)
    value = QAccessible.queryAccessibleInterface(window.fingerprint.overall).valueInterface()
    assert value is not None and value.currentValue() == 400


# --- keyboard alone ------------------------------------------------------------------------------------------
@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    """The app's own style, whose focus ring the test looks for."""
    apply_theme(qapp, Scheme.LIGHT, follow_system=False)
    yield
    qapp.setStyle(QStyleFactory.create("Fusion"))
    qapp.setPalette(qapp.style().standardPalette())


def _focus_ring_visible(widget: QWidget) -> bool:
    image: QImage = widget.grab().toImage()
    ring = QColor(THEMES[Scheme.LIGHT].focus)
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = QColor(image.pixel(x, y))
            if abs(pixel.red() - ring.red()) + abs(pixel.green() - ring.green()) + abs(pixel.blue() - ring.blue()) < 40:
                return True
    return False


class Keyboard:
    def __init__(self, qtbot, window: MainWindow) -> None:
        self.qtbot, self.window = qtbot, window

    @property
    def focus(self) -> QWidget:
        widget = self.window.focusWidget()
        assert widget is not None
        return widget

    def press(self, key: Qt.Key) -> None:
        self.qtbot.keyClick(self.focus, key)

    def tab_to(self, target: QWidget, limit: int = 40) -> None:
        """Presses Tab until ``target`` has focus; fails when it is not in the Tab order or shows no focus."""
        for _ in range(limit):
            if self.focus is target:
                break
            self.press(Qt.Key.Key_Tab)
        assert self.focus is target, f"Tab never reached {accessible_name(target)!r}"
        if isinstance(target, (QAbstractButton, QLabel)) and not getattr(target, "isChecked", bool)():
            assert _focus_ring_visible(target), f"no visible focus on {accessible_name(target)!r}"

    def tab_order(self) -> list[QWidget]:
        start, order = self.focus, []
        for _ in range(60):
            order.append(self.focus)
            self.press(Qt.Key.Key_Tab)
            if self.focus is start:
                break
        return order


def _reading_position(window: MainWindow, widget: QWidget) -> tuple[int, int]:
    point = widget.mapTo(window, QPoint(0, widget.height() // 2))
    return point.y() // max(1, widget.height()), point.x()


def test_tab_reaches_every_control_in_reading_order(qtbot, make_window, themed) -> None:
    window = make_window(StubBackend())
    keys = Keyboard(qtbot, window)
    for page in fill_every_screen(window):
        screen = window.screens[page]
        order = keys.tab_order()
        missing = [accessible_name(w) for w in focusable(screen) if w not in order]
        assert not missing, f"{page.name}: not reachable with Tab: {missing}"
        # The chain is a circle: read it from where Tab enters the screen from the top bar.
        entry = next(i for i, w in enumerate(order) if screen.isAncestorOf(w) and not screen.isAncestorOf(order[i - 1]))
        inside = [w for w in order[entry:] + order[:entry] if screen.isAncestorOf(w)]
        rows = [window.mapFromGlobal(w.mapToGlobal(QPoint(0, 0))).y() for w in inside]
        back_jumps = [
            (accessible_name(a), accessible_name(b)) for a, b, ya, yb in zip(inside, inside[1:], rows, rows[1:])
            if yb < ya - a.height()  # a later control clearly above an earlier one, except the button row's wrap
            and not (b in _button_row(screen) and a in _button_row(screen))
        ]
        assert not back_jumps, f"{page.name}: Tab goes back up the screen: {back_jumps}"


def _button_row(screen: QWidget) -> list[QWidget]:
    layout = screen.buttons
    return [layout.itemAt(i).widget() for i in range(layout.count()) if layout.itemAt(i).widget() is not None]


@pytest.fixture
def photo(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "me.jpg"
    shutil.copy(data_dir / "images" / "bridge-mods" / "aaa-orig.jpg", target)
    return target


def test_whole_journey_with_the_keyboard_alone(qtbot, make_window, intake_server, photo, monkeypatch, themed) -> None:
    window = make_window(IntakeBackend(intake_server.url))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    monkeypatch.setattr(window, "ask_open_files", lambda: [str(photo)])
    monkeypatch.setattr(window, "confirm", lambda *args: True)
    files, case, keys = window.controller.fingerprinting, window.controller.case, Keyboard(qtbot, window)

    # Welcome: the age question has focus; Space answers it, Enter presses Start (the default button).
    assert keys.focus is window.welcome.under_18
    keys.press(Qt.Key.Key_Space)
    keys.press(Qt.Key.Key_Return)
    assert window.page is Page.CHOOSE

    keys.tab_to(window.choose.add_files)
    with qtbot.waitSignal(files.files_added, timeout=10_000):
        keys.press(Qt.Key.Key_Return)
    keys.tab_to(window.choose.next)
    with qtbot.waitSignal(files.hashing_finished, timeout=60_000):
        keys.press(Qt.Key.Key_Return)

    assert keys.focus is window.fingerprint.next
    keys.press(Qt.Key.Key_Return)
    assert window.page is Page.REVIEW

    keys.tab_to(window.review.consent)
    keys.press(Qt.Key.Key_Space)
    keys.tab_to(window.review.attestation)
    keys.press(Qt.Key.Key_Space)
    keys.tab_to(window.review.send)
    with qtbot.waitSignal(case.sent, timeout=NETWORK_TIMEOUT_MS):
        keys.press(Qt.Key.Key_Return)
    assert window.page is Page.CASE

    keys.tab_to(window.case.number)  # the case number is reachable, so a screen reader can read it out
    keys.tab_to(window.case.check)
    with qtbot.waitSignal(case.status_loaded, timeout=NETWORK_TIMEOUT_MS):
        keys.press(Qt.Key.Key_Return)
    assert window.page is Page.CHECK and "active" in window.check.status.text()

    keys.tab_to(window.check.withdraw)
    with qtbot.waitSignal(case.withdrawn, timeout=NETWORK_TIMEOUT_MS):
        keys.press(Qt.Key.Key_Return)
    assert "withdrawn" in window.check.status.text()


def test_enter_in_the_case_fields_checks_the_case(qtbot, make_window) -> None:
    window = make_window(StubBackend())
    window.go(Page.CHECK)
    window.check.fill(CASE_NUMBER, "key")
    with qtbot.waitSignal(window.check.check_requested, timeout=1000) as asked:
        qtbot.keyClick(window.check.key, Qt.Key.Key_Return)
    assert asked.args == [CASE_NUMBER, "key"]
