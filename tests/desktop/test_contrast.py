"""WCAG 2.2 AA contrast, measured on the pixels the app's style really paints, in every theme.

Text needs 4.5:1 on its background (1.4.3); the edges that show where a check box, radio button, field or
button is, and the focus ring, need 3:1 against the window (1.4.11, 2.4.13). Each control is drawn by the
style the app installs (``desktop.theme.TakebackStyle``) into an image filled with the window colour, and
the most visible pixel of its edge is compared with the window.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionButton,
    QStyleOptionFocusRect,
    QStyleOptionFrame,
)

from desktop.theme import THEMES, Scheme, TakebackStyle, contrast_ratio

TEXT_MIN, CONTROL_MIN = 4.5, 3.0
SIDE = 40
State = QStyle.StateFlag


def _option(kind: type[QStyleOption], palette: QPalette, state: QStyle.StateFlag) -> QStyleOption:
    option = kind()
    option.rect = QRect(4, 4, SIDE - 8, SIDE - 8)
    option.palette = palette
    option.state = State.State_Enabled | state
    return option


def edge_contrast(style: QStyle, palette: QPalette, element: QStyle.PrimitiveElement, option: QStyleOption) -> float:
    """The highest contrast with the window among the pixels on the middle row's left edge of ``element``."""
    window = palette.color(QPalette.ColorRole.Window)
    image = QImage(SIDE, SIDE, QImage.Format.Format_RGB32)
    image.fill(window)
    painter = QPainter(image)
    style.drawPrimitive(element, option, painter)
    painter.end()
    row = option.rect.center().y()
    edge = range(option.rect.left(), option.rect.left() + 4)
    return max(contrast_ratio(QColor(image.pixel(x, row)), window) for x in edge)


Element = QStyle.PrimitiveElement
CONTROLS: dict[str, Callable[[QPalette], tuple[QStyle.PrimitiveElement, QStyleOption]]] = {
    "check box": lambda p: (Element.PE_IndicatorCheckBox, _option(QStyleOptionButton, p, State.State_Off)),
    "radio button": lambda p: (Element.PE_IndicatorRadioButton, _option(QStyleOptionButton, p, State.State_Off)),
    "button border": lambda p: (Element.PE_PanelButtonCommand, _option(QStyleOptionButton, p, State.State_Raised)),
    "text field border": lambda p: (Element.PE_FrameLineEdit, _option(QStyleOptionFrame, p, State.State_Sunken)),
    "focus ring": lambda p: (Element.PE_FrameFocusRect, _option(QStyleOptionFocusRect, p, State.State_HasFocus)),
    "focused button": lambda p: (
        Element.PE_PanelButtonCommand, _option(QStyleOptionButton, p, State.State_Raised | State.State_HasFocus)
    ),
}


def measure(style: QStyle, palette: QPalette) -> dict[str, float]:
    """Every figure this module checks, for one style and palette (the closing note records them)."""
    roles = QPalette.ColorRole
    figures = {
        name: edge_contrast(style, palette, *make(palette)) for name, make in CONTROLS.items()
    }
    for name, fg, bg in (
        ("text on window", roles.WindowText, roles.Window),
        ("text in fields", roles.Text, roles.Base),
        ("text on notes", roles.Text, roles.AlternateBase),
        ("button text", roles.ButtonText, roles.Button),
        ("placeholder text", roles.PlaceholderText, roles.Base),
        ("selected text", roles.HighlightedText, roles.Highlight),
    ):
        figures[name] = contrast_ratio(palette.color(fg), palette.color(bg))
    return figures


@pytest.mark.parametrize("scheme", list(Scheme), ids=lambda s: s.value)
def test_every_control_and_text_meets_wcag_aa(qapp: QApplication, scheme: Scheme) -> None:
    theme = THEMES[scheme]
    style = TakebackStyle(theme)
    figures = measure(style, theme.palette())
    too_faint = {
        name: round(ratio, 2)
        for name, ratio in figures.items()
        if ratio < (TEXT_MIN if "text" in name and "field border" not in name else CONTROL_MIN)
    }
    assert not too_faint, f"{scheme.value}: below WCAG 2.2 AA: {too_faint}"
    # The checked state must show too: the accent against the window.
    assert contrast_ratio(theme.accent, theme.window) >= CONTROL_MIN
    assert contrast_ratio(theme.focus, theme.window) >= CONTROL_MIN


def test_plain_fusion_fails_where_the_issue_said(qapp: QApplication) -> None:
    """The "before" figures: Fusion's own outlines on a dark window are what people could not see."""
    fusion = QStyleFactory.create("Fusion")
    dark = THEMES[Scheme.DARK].palette()
    before = measure(fusion, dark)
    assert before["check box"] < CONTROL_MIN
    assert before["radio button"] < CONTROL_MIN


if __name__ == "__main__":  # prints the before/after table for the closing note
    app = QApplication([])
    rows = {"fusion light (before)": measure(QStyleFactory.create("Fusion"), QStyleFactory.create("Fusion").standardPalette()),
            "fusion dark (before)": measure(QStyleFactory.create("Fusion"), THEMES[Scheme.DARK].palette())}
    for scheme in Scheme:
        rows[f"takeback {scheme.value}"] = measure(TakebackStyle(THEMES[scheme]), THEMES[scheme].palette())
    names = list(next(iter(rows.values())))
    print("| | " + " | ".join(names) + " |")
    for label, figures in rows.items():
        print(f"| {label} | " + " | ".join(f"{figures[n]:.2f}" for n in names) + " |")
