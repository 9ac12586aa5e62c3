"""Tests of the release build in ``packaging/`` (a folder of scripts, not a package: it is put on sys.path).

This folder has no ``__init__.py`` and is not named ``packaging``, so it can never shadow the PyPA
``packaging`` library that pip and PyInstaller import.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.xdist_shared import one_at_a_time

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a release test: ``-m "not release"`` leaves them all out of a quick run."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.release)


class Release:
    """One real Linux release, built with ``packaging/build.py`` into ``out``."""

    def __init__(self, out: Path, seconds: float, log: str) -> None:
        import names
        import smoke

        self.out, self.seconds, self.log = out, seconds, log
        self.bundle = out / names.bundle_folder()
        self.files = out / "release"
        self.console, self.gui = smoke.frozen_programs(self.bundle, "linux")


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Release:
    """The release, built once per run (slow: PyInstaller and two archives take minutes on two cores); the
    pytest-xdist workers share it, and those that need it while it is being built wait for it."""
    with one_at_a_time(tmp_path_factory, "release") as folder:
        out, record = folder / "release" / "dist", folder / "release" / "built.json"
        if not record.exists():
            started = time.monotonic()
            # zstd: the .deb in seconds instead of minutes; dpkg installs either, and the release workflow tests
            # the xz one.
            done = subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--out", str(out),
                                   "--deb-compression", "zstd"], cwd=REPO, capture_output=True, text=True,
                                  timeout=1200, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
            seconds = time.monotonic() - started
            assert done.returncode == 0, f"build.py failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            record.write_text(json.dumps({"seconds": seconds, "log": done.stdout}), encoding="utf-8")
        built = json.loads(record.read_text(encoding="utf-8"))
    return Release(out, built["seconds"], built["log"])


@pytest.fixture
def build_env(monkeypatch) -> dict[str, str]:
    """A fixed SOURCE_DATE_EPOCH and no signing variables from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("TAKEBACK_"):
            monkeypatch.delenv(name)
    return {"SOURCE_DATE_EPOCH": "1700000000"}
