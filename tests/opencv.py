"""OpenCV for the tests only (the app decodes with PyAV): it writes test videos, and checks ours against it.

OpenCV writes its own warnings (``[ WARN:0@0.3] ... can't be used to capture by name``) and lets its FFmpeg
print decoder complaints straight to file descriptor 2, which would mix into the output tests check (a test
asserts that hashing a damaged file prints nothing). ``quiet_cv2`` sets the variables before it imports
``cv2`` (OpenCV reads the FFmpeg level from the environment once); ``setdefault`` leaves a developer's own
choice alone.
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
