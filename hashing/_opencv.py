"""OpenCV, set up so that neither it nor the FFmpeg inside it ever prints to the person's terminal.

OpenCV writes its own warnings (``[ WARN:0@0.3] ... can't be used to capture by name``) and lets FFmpeg print
decoder complaints (``[h264 @ 0x...] Invalid NAL unit size``) straight to file descriptor 2. Damaged files are
reported through our errors and warnings instead, so both are silenced.

OpenCV reads the FFmpeg level from the environment once, when its FFmpeg backend is first used in the
process, so the variables are set when this module is imported (``import hashing`` does), before anything
can open a video. ``setdefault`` leaves a developer's own choice alone.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["quiet_cv2"]

_AV_LOG_QUIET = "-8"

_DEVELOPER_CHOSE_LEVEL = "OPENCV_LOG_LEVEL" in os.environ
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", _AV_LOG_QUIET)


def quiet_cv2() -> ModuleType:
    """Import ``cv2`` with OpenCV's own logging off, and return the module."""
    import cv2

    if not _DEVELOPER_CHOSE_LEVEL:  # cv2 may have been imported before the variable was set
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    return cv2
