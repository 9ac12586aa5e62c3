"""Colours and control outlines that stay readable: light, dark and high contrast, all meeting WCAG 2.2 AA.

Qt's Fusion style draws check boxes, radio buttons, text fields and button edges in a shade of the window
colour (``window.darker(140)``): about 1.6:1 on a light window and nearly invisible on a dark one. Takeback
keeps Fusion (the same on every system, so these figures hold everywhere) and paints those outlines, and a
focus ring, in colours chosen from the palette below. ``tests/desktop/test_contrast.py`` measures the pixels
this style really paints: 4.5:1 for text, 3:1 for control outlines and the focus ring (WCAG 1.4.3, 1.4.11,
2.4.13).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

__all__ = ["Scheme", "Theme", "THEMES", "TakebackStyle", "apply_theme", "contrast_ratio", "system_scheme"]


class Scheme(enum.Enum):
    LIGHT = "light"
    DARK = "dark"
    HIGH_CONTRAST = "high-contrast"


@dataclass(frozen=True, slots=True)
class Theme:
    """Every colour the app draws with. Text colours need 4.5:1 on their backgrounds, the rest 3:1."""

    window: str
    text: str  # window text, text in fields and buttons
    base: str  # fields, lists, inside check boxes and radio buttons
    alternate: str  # notes and every other row of a list
    button: str
    muted: str  # placeholders and hints: still text, still 4.5:1
    disabled: str  # inactive controls (WCAG exempts them; kept readable anyway)
    outline: str  # check box, radio button, field and button edges
    focus: str  # the focus ring
    accent: str  # checked state, progress, selection
    on_accent: str  # check mark and selected text on the accent

    def palette(self) -> QPalette:
        palette = QPalette()
        roles = QPalette.ColorRole
        for role, colour in (
            (roles.Window, self.window), (roles.WindowText, self.text), (roles.Base, self.base),
            (roles.AlternateBase, self.alternate), (roles.Text, self.text), (roles.Button, self.button),
            (roles.ButtonText, self.text), (roles.BrightText, self.text), (roles.Highlight, self.accent),
            (roles.HighlightedText, self.on_accent), (roles.ToolTipBase, self.base), (roles.ToolTipText, self.text),
            (roles.PlaceholderText, self.muted), (roles.Link, self.focus), (roles.LinkVisited, self.focus),
            (roles.Light, self.alternate), (roles.Midlight, self.alternate), (roles.Mid, self.outline),
            (roles.Dark, self.outline), (roles.Shadow, self.outline),
        ):
            palette.setColor(role, QColor(colour))
        for role in (roles.WindowText, roles.Text, roles.ButtonText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(self.disabled))
        return palette


THEMES: dict[Scheme, Theme] = {
    Scheme.LIGHT: Theme(
        window="#f4f4f4", text="#1c1c1c", base="#ffffff", alternate="#e8edf4", button="#e9e9e9",
        muted="#595959", disabled="#6e6e6e", outline="#6b6b6b", focus="#0b57d0", accent="#0b57d0",
        on_accent="#ffffff",
    ),
    Scheme.DARK: Theme(
        window="#202124", text="#e8eaed", base="#17181a", alternate="#2b2d31", button="#303134",
        muted="#a8adb3", disabled="#8e9297", outline="#9aa0a6", focus="#8ab4f8", accent="#8ab4f8",
        on_accent="#111213",
    ),
    # Windows' "Night sky"-like contrast theme: what people who ask their system for high contrast expect.
    Scheme.HIGH_CONTRAST: Theme(
        window="#000000", text="#ffffff", base="#000000", alternate="#0f0f0f", button="#000000",
        muted="#e0e0e0", disabled="#a6a6a6", outline="#ffffff", focus="#ffff00", accent="#1aebff",
        on_accent="#000000",
    ),
}


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast_ratio(first: QColor | str, second: QColor | str) -> float:
    """WCAG 2.2's contrast ratio, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(QColor(first)), _luminance(QColor(second))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def system_scheme() -> Scheme:
    """What the system asks for: high contrast (Qt 6.10+ reports it), else its light or dark colour scheme."""
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is not None and accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast:
        return Scheme.HIGH_CONTRAST
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return Scheme.DARK
    return Scheme.LIGHT


class TakebackStyle(QProxyStyle):
    """Fusion, with outlines, indicators and the focus ring painted in the theme's colours."""

    def __init__(self, theme: Theme) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self.theme = theme

    def standardPalette(self) -> QPalette:  # noqa: N802 - Qt override
        return self.theme.palette()

    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,  # noqa: N802
                    widget: QWidget | None = None) -> int:
        size = super().pixelMetric(metric, option, widget)
        if metric in (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
                      QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, QStyle.PixelMetric.PM_ExclusiveIndicatorHeight):
            # Larger than Fusion's 14 px and growing with the text, so "Larger text" grows the boxes too.
            em = widget.fontMetrics().height() if widget is not None else 16
            return max(size, round(em * 1.05))
        return size

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802
                      painter: QPainter, widget: QWidget | None = None) -> None:
        elements = QStyle.PrimitiveElement
        if element == elements.PE_IndicatorCheckBox:
            self._check_box(option, painter)
        elif element == elements.PE_IndicatorRadioButton:
            self._radio_button(option, painter)
        elif element == elements.PE_FrameFocusRect:
            self._focus_ring(QRectF(option.rect), painter)
        elif element == elements.PE_PanelButtonCommand:
            super().drawPrimitive(element, option, painter, widget)
            self._outline(option, painter, radius=3.0)
        elif element == elements.PE_FrameLineEdit:
            self._outline(option, painter, radius=2.0)
        else:
            super().drawPrimitive(element, option, painter, widget)

    def drawComplexControl(self, control: QStyle.ComplexControl, option: QStyleOption,  # noqa: N802
                           painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control == QStyle.ComplexControl.CC_ComboBox:
            self._outline(option, painter, radius=3.0)

    # --- painting ------------------------------------------------------------------------------------------
    @contextmanager
    def _painting(self, painter: QPainter, colour: QColor | str, width: float, fill: QColor | None = None
                  ) -> Iterator[QPainter]:
        """An antialiased pen of ``colour`` and ``width`` (and ``fill``, else no brush), restored afterwards."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(colour), width)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
        try:
            yield painter
        finally:
            painter.restore()

    def _enabled(self, option: QStyleOption) -> bool:
        return bool(option.state & QStyle.StateFlag.State_Enabled)

    def _outline(self, option: QStyleOption, painter: QPainter, *, radius: float) -> None:
        """A 1.5 px edge in the outline colour, or a 2 px ring in the focus colour when the control has focus."""
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        width = 2.0 if focused else 1.5
        colour = self.theme.focus if focused else (self.theme.outline if self._enabled(option) else self.theme.disabled)
        rect = QRectF(option.rect).adjusted(width / 2, width / 2, -width / 2, -width / 2)
        with self._painting(painter, colour, width):
            painter.drawRoundedRect(rect, radius, radius)

    def _focus_ring(self, rect: QRectF, painter: QPainter) -> None:
        with self._painting(painter, self.theme.focus, 2.0):
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 2.0, 2.0)

    def _indicator_colours(self, option: QStyleOption) -> tuple[QColor, QColor]:
        on = bool(option.state & (QStyle.StateFlag.State_On | QStyle.StateFlag.State_NoChange))
        if not self._enabled(option):
            return QColor(self.theme.disabled), QColor(self.theme.base)
        if on:
            return QColor(self.theme.accent), QColor(self.theme.accent)
        return QColor(self.theme.outline), QColor(self.theme.base)

    def _check_box(self, option: QStyleOption, painter: QPainter) -> None:
        edge, fill = self._indicator_colours(option)
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        with self._painting(painter, edge, 2.0, fill):
            painter.drawRoundedRect(rect, 2.5, 2.5)
            mark = QPen(QColor(self.theme.on_accent), max(2.0, rect.width() / 7))
            mark.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(mark)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if option.state & QStyle.StateFlag.State_On:
                path = QPainterPath(QPointF(rect.left() + rect.width() * 0.22, rect.top() + rect.height() * 0.52))
                path.lineTo(rect.left() + rect.width() * 0.42, rect.top() + rect.height() * 0.72)
                path.lineTo(rect.left() + rect.width() * 0.78, rect.top() + rect.height() * 0.30)
                painter.drawPath(path)
            elif option.state & QStyle.StateFlag.State_NoChange:
                y = rect.center().y()
                left, right = rect.left() + rect.width() * 0.25, rect.right() - rect.width() * 0.25
                painter.drawLine(QPointF(left, y), QPointF(right, y))

    def _radio_button(self, option: QStyleOption, painter: QPainter) -> None:
        edge, _fill = self._indicator_colours(option)
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        with self._painting(painter, edge, 2.0, QColor(self.theme.base)):
            painter.drawEllipse(rect)
            if option.state & QStyle.StateFlag.State_On:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(edge)
                inset = rect.width() * 0.27
                painter.drawEllipse(rect.adjusted(inset, inset, -inset, -inset))


def apply_theme(app: QApplication, scheme: Scheme | None = None, *, follow_system: bool = True) -> Theme:
    """Gives ``app`` the theme for ``scheme`` (the system's when None), and follows the system's changes."""
    theme = THEMES[scheme or system_scheme()]
    app.setStyle(TakebackStyle(theme))
    app.setPalette(theme.palette())
    if follow_system and scheme is None and not app.property("takeback_follows_scheme"):
        app.setProperty("takeback_follows_scheme", True)
        hints = QGuiApplication.styleHints()

        def refollow(*_args: object) -> None:
            apply_theme(app, None, follow_system=False)

        hints.colorSchemeChanged.connect(refollow)
        accessibility = getattr(hints, "accessibility", None)
        if accessibility is not None:
            accessibility().contrastPreferenceChanged.connect(refollow)
    return theme

