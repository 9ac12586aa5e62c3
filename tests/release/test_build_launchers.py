"""The windowed program's launcher: what it passes to ``takeback gui``, and its smoke-test hook."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

LAUNCHER = Path(__file__).resolve().parents[2] / "packaging" / "launchers" / "takeback_gui.py"


@pytest.fixture(scope="module")
def launcher():
    spec = importlib.util.spec_from_file_location("takeback_gui_launcher", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the module's main block does not run: __name__ is not "__main__"
    return module


def test_only_options_takeback_gui_knows_are_passed_on(launcher):
    dropped = ["--demo", r"C:\Users\someone\Pictures\photo.jpg", "-psn_0_4242", "--shared"]
    assert launcher.known_gui_options(dropped) == ["--demo", "--shared"]
    assert launcher.known_gui_options(["--intake", "https://intake.example", "video.mp4"]) == [
        "--intake", "https://intake.example"]
    assert launcher.known_gui_options([]) == []


def test_the_smoke_hook_quits_once_a_window_is_shown(tmp_path):
    """The hook on the real QApplication: a window that shows makes exec() return 0 by itself."""
    script = tmp_path / "show.py"
    script.write_text(
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('launcher', {str(LAUNCHER)!r})\n"
        "launcher = importlib.util.module_from_spec(spec); spec.loader.exec_module(launcher)\n"
        "launcher._arm_smoke_quit()\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([]); label = QLabel('hello'); label.setWindowTitle('Smoke'); label.show()\n"
        "sys.exit(app.exec())\n"
    )
    report = tmp_path / "report.txt"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TAKEBACK_SMOKE_REPORT": str(report)})
    assert done.returncode == 0, done.stderr
    assert "smoke: window shown: 'Smoke'" in done.stderr
    lines = report.read_text().splitlines()
    assert lines[0] == "smoke: window shown: 'Smoke'"
    assert lines[1].startswith("smoke: shown at monotonic ") and float(lines[1].rsplit(" ", 1)[1]) > 0
