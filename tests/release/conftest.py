"""Tests of the release build in ``packaging/`` (a folder of scripts, not a package: it is put on sys.path).

This folder has no ``__init__.py`` and is not named ``packaging``, so it can never shadow the PyPA
``packaging`` library that pip and PyInstaller import.
"""

import os
import sys
from pathlib import Path

import pytest

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


@pytest.fixture
def build_env(monkeypatch) -> dict[str, str]:
    """A fixed SOURCE_DATE_EPOCH and no signing variables from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("TAKEBACK_"):
            monkeypatch.delenv(name)
    return {"SOURCE_DATE_EPOCH": "1700000000"}
