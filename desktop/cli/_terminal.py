"""What every ``takeback`` sub-command shares about talking to a terminal: exit statuses and printable paths."""

from __future__ import annotations

from pathlib import Path

__all__ = ["STOPPED", "printable"]

#: The shell's exit status for a command stopped with Ctrl+C.
STOPPED = 130


def printable(path: str | Path) -> str:
    """``path`` as text that can always be printed, even when its name is not valid in this system's encoding.

    Python keeps such names as lone surrogates, which a strict stdout refuses to write (``UnicodeEncodeError``).
    """
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
