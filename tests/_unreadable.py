"""Make a file really unreadable for the current thread, even when the tests run as root.

``chmod 000`` stops ordinary users, but root reads anything through the CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH capabilities. Linux keeps capabilities per thread, so dropping those two from the calling
thread's effective set (and raising them again afterwards from the permitted set) makes the permission bits
apply to it, exactly as they would to a person's account, without touching other threads or processes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
from collections.abc import Iterator
from pathlib import Path

__all__ = ["unreadable"]

_CAPGET, _CAPSET = {"x86_64": (125, 126), "aarch64": (90, 91)}.get(platform.machine(), (None, None))
_VERSION_3 = 0x20080522
_DAC_BITS = (1 << 1) | (1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _capabilities(change: int | None) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _Header(_VERSION_3, 0), (_Data * 2)()
    if libc.syscall(_CAPGET, ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    before = data[0].effective
    if change is not None:
        data[0].effective = change
        if libc.syscall(_CAPSET, ctypes.byref(header), data) != 0:
            raise OSError(ctypes.get_errno(), "capset failed")
    return before


@contextlib.contextmanager
def unreadable(path: Path) -> Iterator[Path]:
    """Within the block, opening ``path`` from this thread fails with "permission denied"."""
    mode = path.stat().st_mode
    path.chmod(0)
    dropped = None
    try:
        if os.geteuid() == 0:
            if _CAPGET is None:
                raise RuntimeError(f"dropping capabilities is not wired up for {platform.machine()}")
            dropped = _capabilities(None)
            _capabilities(dropped & ~_DAC_BITS)
        try:
            path.open("rb").close()
        except PermissionError:
            pass
        else:
            raise RuntimeError("could not make the file unreadable for this test")
        yield path
    finally:
        if dropped is not None:
            _capabilities(dropped)
        path.chmod(mode)
