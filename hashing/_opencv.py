"""OpenCV, imported so that neither it nor the FFmpeg inside it ever prints to the person's terminal.

OpenCV writes its own warnings (``[ WARN:0@0.3] ... can't be used to capture by name``) and lets FFmpeg print
decoder complaints (``[h264 @ 0x...] Invalid NAL unit size``) straight to file descriptor 2. Damaged files are
reported through our errors and warnings instead, so both are silenced. OpenCV reads the FFmpeg level from the
environment when its FFmpeg backend first opens a file; ``setdefault`` leaves a developer's own choice alone.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["quiet_cv2"]

_AV_LOG_QUIET = "-8"


def quiet_cv2() -> ModuleType:
    """Import ``cv2`` with OpenCV's and FFmpeg's logging turned off, and return the module."""
    developer_chose_level = "OPENCV_LOG_LEVEL" in os.environ
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", _AV_LOG_QUIET)
    import cv2

    if not developer_chose_level:  # cv2 may have been imported earlier, before the variable was set
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    return cv2
