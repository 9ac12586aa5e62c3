"""The real app, read through AT-SPI as a Linux screen reader (Orca) reads it.

The app runs under Xvfb with its own D-Bus session and accessibility bus; ``atspi_reader.py`` runs with the
system Python (Debian's ``python3-pyatspi``: the bindings are not on PyPI) and must hear the welcome heading,
the age question and the Quick exit button. ``scripts/setup`` installs what this needs; with ``CI=true`` a
missing piece fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xdist_shared import one_at_a_time

#: Part of the full run only (starts Xvfb, an AT-SPI bus and the app); the quick loop leaves it out.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
REPO = HERE.parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"


def _missing() -> str | None:
    if not sys.platform.startswith("linux"):
        return "AT-SPI is Linux's accessibility bus"
    for tool in ("dbus-run-session", "xvfb-run"):
        if shutil.which(tool) is None:
            return f"{tool} is missing: scripts/setup installs it"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True)
    if probe.returncode != 0:
        return "python3-pyatspi is missing: scripts/setup installs it"
    return None


def test_a_screen_reader_hears_the_first_screen_and_what_changes(tmp_path: Path, tmp_path_factory) -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("QT_", "DBUS_", "AT_SPI"))}
    env.update(HOME=str(tmp_path), LANGUAGE="", LC_ALL="C.UTF-8", PYTHONPATH=str(REPO))
    command = [
        "dbus-run-session", "--", "xvfb-run", "-a", "-s", "-screen 0 1366x768x24",
        SYSTEM_PYTHON, str(HERE / "atspi_reader.py"), sys.executable, "--",
        "gui", "--shared", "--language", "en", "--intake", "http://127.0.0.1:9",
    ]
    with one_at_a_time(tmp_path_factory, "x-server"):  # xvfb-run -a: one new display at a time
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    heard = result.stdout
    print(heard)  # the closing note quotes this
    assert result.returncode == 0, heard + result.stderr[-2000:]
    assert 'FOUND heading: label "Take back control of your photos and videos"' in heard
    assert 'FOUND age question: panel "How old were you in these photos or videos?"' in heard
    assert 'FOUND quick exit: push button "Quick exit"' in heard
    assert "FOUND language menu: combo box \"English\" labelled by ['Language']" in heard
    # Pressing Check with empty fields: the problem is announced without moving focus, as a live region would.
    assert "ANNOUNCED Type both the case number and the key." in heard
