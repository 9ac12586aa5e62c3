"""Run by test_fresh_home.py in a child process whose HOME and XDG folders are new and empty.

Drives a whole journey through the real window (real fingerprinting, the demo's embedded intake service),
then exits 0. The test then proves that nothing was written under HOME. Usage:
``python fresh_home_journey.py [--shared] PHOTO VIDEO``
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QFileDialog
from shiboken6 import Shiboken

from desktop.backend import IntakeBackend
from desktop.controller import Controller
from desktop.intake_host import embedded_intake
from desktop.settings import Settings
from desktop.window import MainWindow, Page


def wait_for(signal: SignalInstance, timeout_s: float = 120) -> list[object]:
    loop, received, timer = QEventLoop(), [], QTimer()

    def on_signal(*args: object) -> None:
        received.append(args)
        loop.quit()

    signal.connect(on_signal)
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(int(timeout_s * 1000))
    loop.exec()
    signal.disconnect(on_signal)
    if not received:
        raise SystemExit(f"timed out waiting for {signal}")
    return list(received[0])


def main(argv: list[str]) -> int:
    shared = argv[0] == "--shared"
    photo, video = (Path(p) for p in argv[1 if shared else 0 :])
    app = QApplication([sys.argv[0]])
    with embedded_intake() as url:
        window = MainWindow(Controller(IntakeBackend(url)), Settings(shared=shared))
        window.show()
        files, case = window.controller.fingerprinting, window.controller.case
        window.welcome.adult.click()
        if shared:
            window.welcome.larger_text.click()  # a display preference: in shared mode, kept in memory only
        window.welcome.start_button.click()
        files.add_paths([photo, video])
        wait_for(files.files_added)
        window.choose.table.selectRow(0)
        window.choose.preview_button.click()
        assert wait_for(files.preview_ready)[0] is not None
        window.choose.next.click()
        assert wait_for(files.hashing_finished) == [2, 0]
        window.fingerprint.next.click()
        window.review.show_payload.click()
        window.review.consent.setChecked(True)
        window.review.attestation.setChecked(True)
        window.review.send.click()
        wait_for(case.sent)
        assert window.page is Page.CASE
        window.case.copy_key.click()
        window.case.check.click()
        wait_for(case.status_loaded)
        window.confirm = lambda *args: True  # type: ignore[method-assign]
        window.check.withdraw.click()
        wait_for(case.withdrawn)
        if shared:
            # Qt's own file dialog, as shared mode uses it: its history must not reach the disk either.
            dialog = QFileDialog(None, "Choose photos or videos", str(photo.parent))
            dialog.setOptions(window._dialog_options())
            dialog.show()
            dialog.selectFile(str(photo))
            dialog.accept()
            Shiboken.delete(dialog)  # as the app's dialogs are: destroyed (and their history saved) at once
        window.start_over()
        window.quick_exit()
        window.controller.runner.wait(30_000)
        window.settings.close()
    app.processEvents()
    print("journey finished")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
