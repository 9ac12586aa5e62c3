"""Entry point of the frozen windowed ``Takeback`` program: the ``takeback gui`` sub-command, nothing else.

Only options ``takeback gui`` knows are passed on: Windows hands over files dropped on the icon, and older
macOS a ``-psn_…`` process number, and either would otherwise stop a program that has no console to say why.

For release smoke tests, ``TAKEBACK_SMOKE_QUIT_AFTER_SHOWN=1`` makes the program quit with status 0 two seconds
after a window has been shown (and with status 3 if none appears within 30 seconds): a check that the frozen
Qt libraries and plugins load, nothing more. What it saw goes to stderr and, because a windowed program on
Windows may have no stderr at all, also to the file named by ``TAKEBACK_SMOKE_REPORT`` when that is set. The
report also gives the system's monotonic clock when the window was first seen (checked as soon as the event
loop runs, then every 20 ms), so ``benchmarks/bench_startup.py`` can time launch to first window.
"""

import multiprocessing
import os
import sys
import time

_SMOKE_ENV = "TAKEBACK_SMOKE_QUIT_AFTER_SHOWN"
_SMOKE_REPORT_ENV = "TAKEBACK_SMOKE_REPORT"
_SMOKE_TIMEOUT_MS = 30_000
_SMOKE_SETTLE_MS = 2_000


def _smoke_report(line: str) -> None:
    print(line, file=sys.stderr, flush=True)  # print() does nothing when a windowed program has no stderr
    report = os.environ.get(_SMOKE_REPORT_ENV)
    if report:
        with open(report, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


def _arm_smoke_quit() -> None:
    """Quit the event loop once a top-level window is visible; print what was shown to stderr."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    original_exec = QApplication.exec  # a static method: app.exec() and QApplication.exec() both reach it

    def exec_then_quit_when_shown() -> int:
        app = QApplication.instance()
        waited = {"ms": 0}

        def poll() -> None:
            shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
            if shown:
                seen_at = time.monotonic()
                titles = ", ".join(sorted(repr(w.windowTitle()) for w in shown))
                _smoke_report(f"smoke: window shown: {titles}")
                _smoke_report(f"smoke: shown at monotonic {seen_at:.4f}")
                # Let start-up work queued behind the first paint (demo service, worker pools) run and fail
                # loudly if it is going to, then leave.
                QTimer.singleShot(_SMOKE_SETTLE_MS, lambda: app.exit(0))
            elif waited["ms"] >= _SMOKE_TIMEOUT_MS:
                _smoke_report("smoke: no window was shown")
                app.exit(3)
            else:
                waited["ms"] += 20
                QTimer.singleShot(20, poll)

        QTimer.singleShot(0, poll)
        return original_exec()

    QApplication.exec = staticmethod(exec_then_quit_when_shown)


def known_gui_options(argv: list[str]) -> list[str]:
    """The arguments ``takeback gui`` understands, in order; everything else is dropped."""
    from desktop.cli import build_parser

    try:
        _args, unknown = build_parser().parse_known_args(["gui", *argv])
    except SystemExit:  # argparse already said why on stderr; start with the defaults
        return []
    unknown_left = list(unknown)
    kept = []
    for argument in argv:
        if unknown_left and argument == unknown_left[0]:
            unknown_left.pop(0)
        else:
            kept.append(argument)
    return kept


def main() -> int:
    """Run ``takeback gui`` with the options it knows (also what the Linux console program does when it is
    started through its ``Takeback`` link, see ``takeback_cli.py``)."""
    if os.environ.get(_SMOKE_ENV) == "1":
        _arm_smoke_quit()
    from desktop.cli import main as cli_main

    return cli_main(["gui", *known_gui_options(sys.argv[1:])])


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
