"""A blurred preview of one photo, only when the person asks for it: drawn in memory, never saved.

This is display, not fingerprinting, so Qt's own image reader is enough. It runs on a worker thread because
a large photo takes a moment to decode; ``QImage`` is safe to build off the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

__all__ = ["blurred_preview"]

#: Width in pixels the picture is shrunk to before being enlarged again: small enough that nothing is
#: recognisable in detail, large enough to tell which photo it is.
BLUR_WIDTH = 16
#: Never decode more than this many pixels for a preview, whatever the file claims.
MAX_PREVIEW_PIXELS = 64_000_000


def blurred_preview(path: Path, size: int) -> QImage | None:
    """A heavily blurred image fitting in ``size`` x ``size``, or None when this file cannot be previewed."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if not reader.canRead():
        return None
    original = reader.size()
    if original.isEmpty() or original.width() * original.height() > MAX_PREVIEW_PIXELS:
        return None
    # Let the decoder shrink while reading (JPEG does this cheaply), then blur by down- and up-scaling.
    reader.setScaledSize(original.scaled(QSize(size, size), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None
    tiny = image.scaledToWidth(BLUR_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return tiny.scaled(image.size(), Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
