"""What the pytest-xdist workers of one run share: a folder, and locks in it.

scripts/test runs the tests on every core, and each worker is a process with session fixtures of its own. What
must happen once per run (building the release) or one at a time (``xvfb-run -a``: two started at the same
moment can pick the same display) takes a lock in the folder the run's workers share. (pytest-xdist's
``xdist_group`` would keep such tests on one worker, but does nothing on pytest 9.2: pytest-xdist#1386.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder: the workers' common parent under xdist, the session's own without it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def one_at_a_time(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """Holds the run-wide lock ``name`` (waiting for any worker holding it); yields the run's folder."""
    folder = run_folder(tmp_path_factory)
    try:
        import fcntl
    except ImportError:  # Windows: the tests that take these locks run on Linux only
        yield folder
        return
    with (folder / f"{name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
