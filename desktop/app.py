"""Starting the app: the QApplication, safe logging, one crash handler, and the window on its controller.

Logs go to stderr only and never carry file names, paths, fingerprints or keys: exception messages (which
may quote a path) are left out, and Qt's own messages have anything that looks like a path removed.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .about import APP_ID, APP_NAME, DESKTOP_ID, __version__
from .backend import Backend, IntakeBackend
from .controller import Controller
from .i18n import Language, _, find
from .languages import apply_language, system_language
from .messages import SOMETHING_WENT_WRONG
from .settings import Settings
from .theme import apply_theme
from .window import MainWindow, apply_text_size

__all__ = ["DEFAULT_INTAKE_URL", "ICON", "build_window", "install_crash_handler", "run", "safe_traceback", "setup_logging"]

log = logging.getLogger(__name__)

#: Where cases go unless ``--intake`` says otherwise. Deployments point this at their service.
DEFAULT_INTAKE_URL = "https://intake.takeback.app"

#: The app's icon (packaging/icons.py renders the installers' icons from the same file).
ICON = Path(__file__).resolve().parent / "resources" / f"{APP_ID}.svg"

_PATHLIKE = re.compile(r"""(?:[A-Za-z]:)?[\\/][^\s"']+|file:[^\s"']+""")


def safe_traceback(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """A traceback naming only our modules, functions and lines: no message (it may quote a path)."""
    lines = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
    for frame in traceback.extract_tb(tb):
        module = frame.filename.replace("\\", "/").rsplit("/", 2)[-2:]
        lines.append(f"  in {'/'.join(module)}:{frame.lineno} {frame.name}")
    return "\n".join(lines)


class _SafeFormatter(logging.Formatter):
    def formatException(self, ei: tuple) -> str:  # noqa: N802 - logging's name
        exc_type, _value, tb = ei
        return safe_traceback(exc_type, tb)


def setup_logging(level: int = logging.WARNING) -> None:
    """Logs to stderr only, with tracebacks stripped of messages; Qt's messages lose anything path-like."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("takeback: %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

    qt_log = logging.getLogger("qt")

    def on_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        text = _PATHLIKE.sub("<path>", message)
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            qt_log.error(text)
        elif kind == QtMsgType.QtWarningMsg:
            qt_log.warning(text)
        else:
            qt_log.debug(text)

    qInstallMessageHandler(on_qt_message)


def install_crash_handler(window: Callable[[], QWidget | None]) -> None:
    """One ``sys.excepthook``: log what escaped (safely) and tell the person calmly; the app keeps running."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error\n%s", safe_traceback(exc_type, tb))
        parent = window()
        if parent is not None and parent.isVisible():
            QMessageBox.warning(parent, APP_NAME, _(SOMETHING_WENT_WRONG))

    sys.excepthook = hook


def build_window(backend: Backend, settings: Settings) -> MainWindow:
    controller = Controller(backend)
    window = MainWindow(controller, settings)
    return window


def _quit_on_termination_signals(window: MainWindow) -> None:
    """Ctrl+C in a terminal, or the system ending the session, works like Quick exit, so the demo's temporary
    database and the shared-mode sandbox are still removed. Python runs signal handlers only when it gets
    control, so a timer hands it control a few times a second."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: window.quick_exit())
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)


def start_language(settings: Settings, asked: Language | None = None) -> Language:
    """``--language`` if given, else the one chosen earlier in the app (never on a shared computer: nothing is
    kept there), else the system's."""
    return asked or find(settings.get(Settings.language)) or system_language()


def run(*, intake_url: str, shared: bool, argv: Sequence[str] = (), language: Language | None = None) -> int:
    """Runs the app until the person closes it or uses Quick exit. Returns the exit status."""
    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_ID, *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_ID)  # Wayland matches the window to its .desktop entry (and icon) by this
    app.setWindowIcon(QIcon(str(ICON)))

    settings = Settings(shared=shared)
    apply_theme(app)
    apply_language(start_language(settings, language))
    apply_text_size(settings.get(Settings.text_size))

    window = build_window(IntakeBackend(intake_url), settings)
    install_crash_handler(lambda: window)
    window.exited.connect(lambda: app.exit(0))  # no close events: quick exit never asks anything
    _quit_on_termination_signals(window)
    app.aboutToQuit.connect(window.controller.runner.cancel_all)
    window.show()
    try:
        return int(app.exec())
    finally:
        window.controller.runner.cancel_all()
        window.controller.runner.wait(10_000)
        settings.close()
