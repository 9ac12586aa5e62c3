"""Saves a PNG of every screen of the journey, driven through the real app, for people to look at.

Run it under a real X server so fonts and styles are the ones people see: ``scripts/screenshots OUTDIR``
(which starts Xvfb). It uses the real fingerprinting on ``tests/data`` media and a throw-away intake service on
loopback. Nothing it saves is committed.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from desktop import i18n  # noqa: E402
from desktop.app import setup_logging  # noqa: E402
from desktop.backend import IntakeBackend  # noqa: E402
from desktop.controller import Controller  # noqa: E402
from desktop.intake_host import embedded_intake  # noqa: E402
from desktop.languages import apply_language  # noqa: E402
from desktop.settings import Settings, TextSize  # noqa: E402
from desktop.theme import Scheme, apply_theme  # noqa: E402
from desktop.window import MainWindow, apply_text_size  # noqa: E402

DATA = REPO / "tests" / "data"


def wait_for(signal: SignalInstance, timeout_s: float = 120) -> list[object]:
    loop = QEventLoop()
    received: list[object] = []

    def on_signal(*args: object) -> None:
        received.extend(args)
        loop.quit()

    signal.connect(on_signal)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(on_signal)
    return received


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class Shooter:
    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.folder, self.prefix, self.count = folder, prefix, 0

    def __call__(self, widget: QWidget, name: str) -> None:
        settle()
        self.count += 1
        path = self.folder / f"{self.prefix}{self.count:02d}-{name}.png"
        widget.grab().save(str(path))
        print(path)


def answer_next_dialog(shoot: Shooter, name: str, accept: bool) -> None:
    """Photographs the next message box when it opens, then presses its first (accept) or last button."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(100, act)
            return
        shoot(box, name)
        buttons = box.buttons()
        accept_button = next(b for b in buttons if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
        (accept_button if accept else box.defaultButton()).click()

    QTimer.singleShot(200, act)


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def journey(window: MainWindow, shoot: Shooter, intake_url: str, media: list[Path], *, full: bool) -> None:
    files, case = window.controller.fingerprinting, window.controller.case
    backend = window.controller.backend
    assert isinstance(backend, IntakeBackend)
    shoot(window, "welcome")
    window.welcome.under_18.click()
    window.welcome.start_button.click()
    shoot(window, "choose-empty")
    files.add_paths(media)
    wait_for(files.files_added)
    shoot(window, "choose-files")
    if full:
        window.choose.table.selectRow(0)
        window.choose.preview_button.click()
        wait_for(files.preview_ready)
        shoot(window, "choose-blurred-preview")
        window.choose.hide_preview()
    window.choose.next.click()
    settle(400)
    shoot(window, "fingerprint-working")
    if files.hashing:
        wait_for(files.hashing_finished)
    shoot(window, "fingerprint-done")
    window.fingerprint.next.click()
    shoot(window, "review")
    window.review.show_payload.click()
    window.review.consent.setChecked(True)
    window.review.attestation.setChecked(True)
    shoot(window, "review-payload")
    if full:
        backend.intake_url = dead_url()
        window.review.send.click()
        shoot(window, "send-busy")
        wait_for(case.send_failed)
        shoot(window, "send-failed")
        backend.intake_url = intake_url
        window.send.retry.click()
    else:
        window.review.send.click()
    wait_for(case.sent)
    shoot(window, "your-case")
    window.case.check.click()
    wait_for(case.status_loaded)
    shoot(window, "check-status")
    if full:
        answer_next_dialog(shoot, "withdraw-confirm", accept=True)
        window.check.withdraw.click()
        wait_for(case.withdrawn)
        shoot(window, "check-withdrawn")
        answer_next_dialog(shoot, "start-over-confirm", accept=True)
        window.start_over_button.click()
        settle()
        window.welcome.check_button.click()
        window.check.fill("ABC-DEF-GH2O", "not a key")
        window.check.check.click()
        wait_for(case.status_failed)
        shoot(window, "check-typo")


def languages(names: list[str]) -> list[i18n.Language]:
    """``all`` means every shipped language and the pseudo-locale."""
    if names == ["all"]:
        return [*i18n.LANGUAGES, i18n.PSEUDO]
    found = [i18n.find(name) for name in names]
    unknown = [name for name, language in zip(names, found) if language is None]
    if unknown:
        raise SystemExit(f"screenshots: unknown language {', '.join(unknown)}; try en, es, pt-BR, ar, pseudo or all")
    return [language for language in found if language is not None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path, help="where to save the PNG files")
    parser.add_argument("--shared", action="store_true", help="also run in shared-computer mode")
    parser.add_argument(
        "--language", nargs="+", default=["en"], metavar="LANG",
        help="languages to photograph (en, es, pt-BR, fr, de, ar, hi, zh-CN, vi, ur, pseudo), or all",
    )
    parser.add_argument("--larger-text", action="store_true", help="with the app's Larger text option on")
    parser.add_argument("--size", metavar="WxH", help="window size in logical pixels, e.g. 683x360 for 200%% "
                        "scaling on a 1366x768 screen (run with QT_SCALE_FACTOR=2)")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    setup_logging()
    app = QApplication([sys.argv[0]])
    if args.larger_text:
        apply_text_size(TextSize.LARGE)
    with tempfile.TemporaryDirectory() as scratch:
        broken = Path(scratch) / "holiday.jpg"
        broken.write_bytes((DATA / "images" / "bridge-mods" / "aaa-orig.jpg").read_bytes()[:700])
        media = [
            DATA / "images" / "bridge-mods" / "aaa-orig.jpg",
            broken,
            DATA / "videos" / "test-padded-dimensions.mp4",
        ]
        settings_file = str(Path(scratch) / "settings.ini")
        with embedded_intake() as url:
            for language in languages(args.language):
                apply_language(language)
                for scheme, full in ((Scheme.LIGHT, True), (Scheme.DARK, True), (Scheme.HIGH_CONTRAST, False)):
                    apply_theme(app, scheme, follow_system=False)
                    window = MainWindow(Controller(IntakeBackend(url)), Settings(path=settings_file))
                    if args.size:
                        width, height = (int(side) for side in args.size.lower().split("x"))
                        window.setMinimumSize(0, 0)
                        window.resize(width, height)
                    window.show()
                    prefix = f"{language.code}-{scheme.value}-"
                    journey(window, Shooter(args.folder, prefix), url, media, full=full)
                    window.close()
                    window.controller.runner.wait(30_000)
                    window.deleteLater()
            if args.shared:
                window = MainWindow(Controller(IntakeBackend(url)), Settings(shared=True))
                window.show()
                Shooter(args.folder, "shared-")(window, "welcome")
                window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
