"""Fixtures for the desktop tests: windows on real widgets (offscreen), and a stand-in backend for logic tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from desktop_stubs import StubBackend

from desktop.backend import Backend
from desktop.controller import Controller
from desktop.settings import Settings
from desktop.window import MainWindow

# Qt's offscreen platform says this whenever a top-level window is shown; it is about the platform plugin,
# not about our code.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English whatever this machine's locale, and leaves English behind."""
    from desktop import i18n

    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    i18n.use(i18n.ENGLISH)
    yield
    if i18n.current() is not i18n.ENGLISH:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            from desktop.languages import apply_language

            apply_language(i18n.ENGLISH)
        else:
            i18n.use(i18n.ENGLISH)


@pytest.fixture
def stub_backend() -> StubBackend:
    return StubBackend()


@pytest.fixture
def settings_path(tmp_path: Path) -> str:
    return str(tmp_path / "settings" / "takeback.ini")


def _before_close(window: MainWindow) -> None:
    """When qtbot closes a window after its test: never stop on a "have you saved your key?" dialog, and
    remove the shared-mode settings sandbox."""
    window.confirm = lambda *args: True  # type: ignore[method-assign]
    window.settings.close()


@pytest.fixture
def make_window(qtbot, settings_path: str) -> Iterator[Callable[..., MainWindow]]:
    """Builds a shown main window on a backend; ``shared`` picks shared-computer mode."""
    windows: list[MainWindow] = []

    def make(backend: Backend, *, shared: bool = False) -> MainWindow:
        settings = Settings(shared=shared) if shared else Settings(path=settings_path)
        window = MainWindow(Controller(backend), settings)
        qtbot.addWidget(window, before_close_func=_before_close)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.controller.runner.cancel_all()
        window.controller.runner.wait(10_000)
