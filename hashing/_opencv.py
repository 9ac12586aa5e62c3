"""OpenCV, set up so that neither it nor the FFmpeg inside it ever prints to the person's terminal.

OpenCV writes its own warnings (``[ WARN:0@0.3] ... can't be used to capture by name``) and lets FFmpeg print
decoder complaints (``[h264 @ 0x...] Invalid NAL unit size``) straight to file descriptor 2. Damaged files are
reported through our errors and warnings instead, so both are silenced.

OpenCV reads the FFmpeg level from the environment once, when its FFmpeg backend is first used in the
process. ``quiet_cv2`` sets the variables before it imports ``cv2``, and every use of OpenCV in ``hashing``
goes through it, so they are in place before anything can open a video; ``import hashing`` alone changes
nothing. ``setdefault`` leaves a developer's own choice alone.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType

__all__ = ["quiet_cv2"]

_AV_LOG_QUIET = "-8"


@functools.cache
def quiet_cv2() -> ModuleType:
    """Import ``cv2`` with OpenCV's own logging off, and return the module (set up once per process)."""
    developer_chose_level = "OPENCV_LOG_LEVEL" in os.environ
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", _AV_LOG_QUIET)
    import cv2

    if not developer_chose_level:  # cv2 may have been imported before the variable was set
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    return cv2
