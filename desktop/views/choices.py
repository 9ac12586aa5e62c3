"""Check boxes and radio buttons whose words wrap, so a long sentence (a consent, an age answer) is never cut
off in a narrow window, a longer language or larger text.

Qt's own draw their text on one line and ask for its full width. These keep everything else of Qt's (the
indicator the style paints, keyboard handling, the accessible name, which is the text), draw the text
wrapped next to the indicator, and report the height the wrapped text needs for a given width.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStyleOptionFocusRect,
    QWidget,
)

__all__ = ["WrappingCheckBox", "WrappingRadioButton"]

_FLAGS = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignVCenter


class _Wrapping:
    """Mixed into QCheckBox and QRadioButton; the class attributes pick the style's elements and metrics."""

    _indicator_element: QStyle.SubElement
    _indicator_primitive: QStyle.PrimitiveElement
    _indicator_width: QStyle.PixelMetric
    _indicator_height: QStyle.PixelMetric
    _label_spacing: QStyle.PixelMetric

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)  # type: ignore[call-arg]  # QCheckBox or QRadioButton, next in the MRO
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)  # type: ignore[attr-defined]

    def _option(self: QAbstractButton) -> QStyleOptionButton:  # type: ignore[misc]
        option = QStyleOptionButton()
        self.initStyleOption(option)
        return option

    def _text_offset(self) -> int:
        option, style = self._option(), self.style()
        return style.pixelMetric(self._indicator_width, option, self) + style.pixelMetric(
            self._label_spacing, option, self
        )

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        text_width = max(1, width - self._text_offset() - 4)
        needed = self.fontMetrics().boundingRect(QRect(0, 0, text_width, 10_000), _FLAGS, self.text()).height()
        indicator = self.style().pixelMetric(self._indicator_height, self._option(), self)
        return max(needed, indicator) + 4

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # As wide as the text on one line, up to about a line of a book; narrower windows wrap it.
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self.text()), metrics.averageCharWidth() * 70)
        width += self._text_offset() + 4
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = self._text_offset() + self.fontMetrics().averageCharWidth() * 12
        return QSize(width, self.heightForWidth(width))

    def hitButton(self, _pos) -> bool:  # noqa: N802 - Qt override: the words are part of the control
        return True

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        option = self._option()
        style = self.style()
        indicator = style.subElementRect(self._indicator_element, option, self)
        # The indicator sits by the first line of text, not in the middle of a wrapped paragraph.
        line = self.fontMetrics().height()
        indicator.moveTop(max(0, (line - indicator.height()) // 2) + 2)
        box = QStyleOptionButton(option)
        box.rect = indicator
        style.drawPrimitive(self._indicator_primitive, box, painter, self)
        offset = self._text_offset()
        logical = QRect(offset, 2, self.width() - offset - 2, self.height() - 4)
        text_rect = QStyle.visualRect(self.layoutDirection(), self.rect(), logical)
        alignment = QStyle.visualAlignment(self.layoutDirection(), Qt.AlignmentFlag.AlignLeft)
        style.drawItemText(painter, text_rect, int(alignment | Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop),
                           self.palette(), self.isEnabled(), self.text(), self.foregroundRole())
        if self.hasFocus():
            focus = QStyleOptionFocusRect()
            focus.initFrom(self)
            used = self.fontMetrics().boundingRect(text_rect, int(alignment | Qt.TextFlag.TextWordWrap), self.text())
            focus.rect = used.adjusted(-2, -1, 2, 1)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, self)
        painter.end()


class WrappingCheckBox(_Wrapping, QCheckBox):
    _indicator_element = QStyle.SubElement.SE_CheckBoxIndicator
    _indicator_primitive = QStyle.PrimitiveElement.PE_IndicatorCheckBox
    _indicator_width = QStyle.PixelMetric.PM_IndicatorWidth
    _indicator_height = QStyle.PixelMetric.PM_IndicatorHeight
    _label_spacing = QStyle.PixelMetric.PM_CheckBoxLabelSpacing



class WrappingRadioButton(_Wrapping, QRadioButton):
    _indicator_element = QStyle.SubElement.SE_RadioButtonIndicator
    _indicator_primitive = QStyle.PrimitiveElement.PE_IndicatorRadioButton
    _indicator_width = QStyle.PixelMetric.PM_ExclusiveIndicatorWidth
    _indicator_height = QStyle.PixelMetric.PM_ExclusiveIndicatorHeight
    _label_spacing = QStyle.PixelMetric.PM_RadioButtonLabelSpacing

