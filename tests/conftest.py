"""Test-wide set-up: Qt draws offscreen, and helpers to find the test media."""

import os
from pathlib import Path

import pytest

# Before any QApplication exists: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
