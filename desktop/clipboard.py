"""Copying the case number and key, and taking them back off the clipboard when the person leaves."""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication

__all__ = ["ClipboardGuard"]


class ClipboardGuard:
    """Remembers what we put on the clipboard so we clear it only if it is still ours."""

    def __init__(self) -> None:
        self._ours: str | None = None

    def copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text, QClipboard.Mode.Clipboard)
        self._ours = text

    def clear_if_ours(self) -> None:
        if self._ours is None:
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard.text(QClipboard.Mode.Clipboard) == self._ours:
            clipboard.clear(QClipboard.Mode.Clipboard)
        self._ours = None
