"""PyAV (FFmpeg's libraries), set up so that FFmpeg never prints to the person's terminal nor logs anything.

FFmpeg reports decoder complaints about damaged files (``[h264 @ 0x...] Invalid NAL unit size``) through its
log callback. PyAV replaces FFmpeg's default callback, which writes to file descriptor 2, with one that drops
every message when it is imported; ``quiet_av`` makes sure it stays so (``av.logging.set_level(None)``), since
the other choice, PyAV's Python-logging bridge, would carry details of the person's file into log records.
Damaged files are reported through our errors and warnings instead.

Importing ``hashing`` alone does not import PyAV: video is optional work, and start-up stays light.
"""

from __future__ import annotations

import functools
from types import ModuleType

__all__ = ["quiet_av"]


@functools.cache
def quiet_av() -> ModuleType:
    """Import ``av`` with FFmpeg's logging off, and return the module (set up once per process)."""
    import av
    import av.logging

    av.logging.set_level(None)  # PyAV's default, restated: no callback prints, nothing reaches ``logging``
    return av
