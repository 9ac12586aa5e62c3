"""Opening a person's file safely: every way it can fail becomes one of our errors, for that file only."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import EmptyFile, FileMissing, FileUnreadable, NotAFile

__all__ = ["checked_open", "checked_stat"]


def checked_stat(path: str | Path) -> os.stat_result:
    """Stat ``path`` (following links) and refuse anything that is not a non-empty regular file."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:  # also a dangling symlink
        raise FileMissing() from exc
    except NotADirectoryError as exc:  # a path through something that is not a folder
        raise FileMissing() from exc
    except PermissionError as exc:
        raise FileUnreadable() from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink loop
            raise NotAFile() from exc
        raise FileUnreadable() from exc
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile()
    if info.st_size == 0:
        raise EmptyFile()
    return info


@contextlib.contextmanager
def checked_open(path: str | Path) -> Iterator[tuple[BinaryIO, int]]:
    """Open ``path`` for reading, yielding the handle and the size it had when opened.

    A file that vanishes or becomes unreadable between the check and the open fails the same way as if it
    had been so from the start.
    """
    size = checked_stat(path).st_size
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the caller's block
    except FileNotFoundError as exc:
        raise FileMissing() from exc
    except IsADirectoryError as exc:
        raise NotAFile() from exc
    except OSError as exc:
        raise FileUnreadable() from exc
    with handle:
        yield handle, size
