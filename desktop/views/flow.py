"""A row of controls that wraps onto more lines when the window is narrow, instead of being cut off.

At 200% scaling on a 1366x768 screen the window is 683 logical pixels wide; German, the pseudo-locale or
"Larger text" make a row of buttons wider than that. Qt's box layouts would then clip them; this layout
wraps, like text. Items after :meth:`addStretch` keep to the trailing edge (right, or left when mirrored), as
a stretch in a box layout would put them.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QStyle, QWidget, QWidgetItem

__all__ = ["FlowLayout"]


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._trailing_from: int | None = None
        self.setContentsMargins(0, 0, 0, 0)

    # --- what QHBoxLayout callers use -----------------------------------------------------------------------
    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt naming
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def addStretch(self, _stretch: int = 1) -> None:  # noqa: N802 - Qt naming
        """Everything added after this keeps to the trailing edge."""
        self._trailing_from = len(self._items)

    # --- QLayout --------------------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if not 0 <= index < len(self._items):
            return None
        if self._trailing_from is not None and index < self._trailing_from:
            self._trailing_from -= 1
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        left, top, right, bottom = self.getContentsMargins()
        return self._arrange(QRect(0, 0, width - left - right, 0), apply=False) + top + bottom

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        left, top, right, bottom = self.getContentsMargins()
        self._arrange(rect.adjusted(left, top, -right, -bottom), apply=True)

    def _margins(self) -> QSize:
        left, top, right, bottom = self.getContentsMargins()
        return QSize(left + right, top + bottom)

    def sizeHint(self) -> QSize:  # noqa: N802
        visible = self._visible()
        width = sum(item.sizeHint().width() for _, item in visible) + self._gap() * max(0, len(visible) - 1)
        height = max((item.sizeHint().height() for _, item in visible), default=0)
        return QSize(width, height) + self._margins()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for _, item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size + self._margins()

    # --- placing --------------------------------------------------------------------------------------------
    def _gap(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        if parent is None:
            return 6
        return parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, parent)

    def _visible(self) -> list[tuple[int, QLayoutItem]]:
        return [(index, item) for index, item in enumerate(self._items) if not item.isEmpty()]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Places the items in lines inside ``rect`` (when ``apply``) and returns the height they need."""
        gap = self._gap()
        lines: list[list[tuple[int, QLayoutItem]]] = [[]]
        used = 0
        for index, item in self._visible():
            width = item.sizeHint().width()
            if lines[-1] and used + gap + width > rect.width():
                lines.append([])
                used = 0
            used += (gap if lines[-1] else 0) + width
            lines[-1].append((index, item))
        y = rect.y()
        trailing = self._trailing_from if self._trailing_from is not None else len(self._items)
        for line in lines:
            height = max((item.sizeHint().height() for _, item in line), default=0)
            if apply:
                leading = [(i, item) for i, item in line if i < trailing]
                after = [(i, item) for i, item in line if i >= trailing]
                self._place(leading, rect, y, height, from_start=True)
                self._place(after, rect, y, height, from_start=False)
            y += height + gap
        return max(0, y - gap - rect.y())

    def _place(self, items: list[tuple[int, QLayoutItem]], rect: QRect, y: int, height: int, *,
               from_start: bool) -> None:
        gap = self._gap()
        widths = [min(item.sizeHint().width(), rect.width()) for _, item in items]
        x = rect.x() if from_start else rect.right() + 1 - (sum(widths) + gap * max(0, len(items) - 1))
        direction = self.parentWidget().layoutDirection() if self.parentWidget() else Qt.LayoutDirection.LeftToRight
        for (_, item), width in zip(items, widths):
            logical = QRect(QPoint(x, y + (height - item.sizeHint().height()) // 2), QSize(width, item.sizeHint().height()))
            item.setGeometry(QStyle.visualRect(direction, rect, logical))
            x += width + gap
