"""Small building blocks every screen uses, so all screens look and read the same.

Sizes are relative to the application font, so everything scales with the system's text size and DPI;
colours come from the palette, so dark and light themes both work.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .flow import FlowLayout
from .live import Source, retranslate, show, text_of

__all__ = [
    "Screen",
    "Source",
    "button",
    "files_table",
    "heading",
    "note",
    "paragraph",
    "refresh_scaled_fonts",
    "scaled_font",
    "set_scaled_font",
    "show",
]


def scaled_font(factor: float, *, bold: bool = False, monospace: bool = False) -> QFont:
    font = QFont(QApplication.font())
    if monospace:
        font.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "monospace"])
        font.setStyleHint(QFont.StyleHint.Monospace)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


def set_scaled_font(widget: QWidget, factor: float, *, bold: bool = False, monospace: bool = False) -> None:
    """Gives ``widget`` a font relative to the application's, and remembers how, for text-size changes."""
    widget.setFont(scaled_font(factor, bold=bold, monospace=monospace))
    widget.setProperty("takeback_font", (factor, bold, monospace))


def refresh_scaled_fonts() -> None:
    """Re-applies relative fonts after the application font changed (the "Larger text" option)."""
    for widget in QApplication.allWidgets():
        spec = widget.property("takeback_font")
        if spec:
            factor, bold, monospace = spec
            widget.setFont(scaled_font(factor, bold=bold, monospace=monospace))


def heading(text: Source) -> QLabel:
    label = QLabel()
    show(label, text)
    set_scaled_font(label, 1.6, bold=True)
    label.setWordWrap(True)
    return label


def paragraph(text: Source = "", *, selectable: bool = False) -> QLabel:
    """A wrapped label whose accessible name is its text (so a screen reader reads what it says)."""
    label = QLabel()
    if text:
        show(label, text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Note(QFrame):
    """A framed message with an icon: for warnings the person must not miss."""

    def __init__(self, text: Source = "", *, warning: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        icon = QLabel()
        pixmaps = QStyle.StandardPixmap
        pixmap = pixmaps.SP_MessageBoxWarning if warning else pixmaps.SP_MessageBoxInformation
        side = self.fontMetrics().height() * 2
        icon.setPixmap(self.style().standardIcon(pixmap).pixmap(side, side))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = paragraph()
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        if text:
            show(self, text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming, like QLabel
        """Plain text for the note; callers that want it to follow the language use ``show(note, source)``."""
        self.label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.label.text()


def note(text: Source = "", *, warning: bool = True) -> Note:
    return Note(text, warning=warning)


def button(text: Source, description: Source = "", *, default: bool = False) -> QPushButton:
    widget = QPushButton()
    show(widget, text)
    show(widget, lambda: text_of(text).replace("&", "").rstrip("…."), "accessibleName")
    if description:
        show(widget, description, "accessibleDescription")
        show(widget, description, "toolTip")
    widget.setAutoDefault(True)
    widget.setDefault(default)
    # As wide as its words, even in a column layout: a full-width button reads like a banner, not a button.
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return widget


def files_table(accessible_name: Source) -> QTableView:
    view = QTableView()
    show(view, accessible_name, "accessibleName")
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrow keys move inside it
    return view


def stretch_columns(view: QTableView, widest: dict[int, list[str]]) -> None:
    """Short columns are as wide as their longest possible words, the name gets a fair share, the note the rest.

    Args:
        widest: for each short column, every text it can show (widths follow the font, so they scale).
    """
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    padding = metrics.horizontalAdvance("MM")
    for column, texts in widest.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, max(metrics.horizontalAdvance(t) for t in texts) + padding)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(0, metrics.horizontalAdvance("M") * 16)
    header.setStretchLastSection(True)
    model = view.model()

    def fit_rows(*_args: object) -> None:
        view.resizeRowsToContents()

    def fit_changed_rows(top: QModelIndex, bottom: QModelIndex, *_roles: object) -> None:
        # Progress changes rows many times a second: resize only those, not the whole table.
        for row in range(top.row(), bottom.row() + 1):
            view.resizeRowToContents(row)

    model.rowsInserted.connect(fit_rows)
    model.dataChanged.connect(fit_changed_rows)
    model.modelReset.connect(fit_rows)


class Screen(QWidget):
    """A page of the journey: a heading, content that scrolls when the window is small (200% scaling on a
    1366x768 screen), and a row of buttons at the bottom that always stays in view."""

    def __init__(self, title: Source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        show(self, title, "accessibleName")
        self.title = heading(title)
        self.body = QVBoxLayout()
        self.body.setSpacing(self.fontMetrics().height() // 2)
        self.body.setContentsMargins(0, 0, 0, 0)
        content = QWidget()
        content.setLayout(self.body)
        self.scroll = QScrollArea()
        self.scroll.setWidget(content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls inside, not the area
        self.buttons = FlowLayout()
        outer = QVBoxLayout(self)
        margin = self.fontMetrics().height()
        outer.setContentsMargins(margin * 2, margin, margin * 2, margin)
        outer.setSpacing(margin)
        outer.addWidget(self.title)
        outer.addWidget(self.scroll, 1)
        outer.addLayout(self.buttons)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Tab to a control below the fold scrolls it into view, as a keyboard user expects."""
        if new is not None and self.scroll.widget().isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new)

    def default_button(self) -> QPushButton | None:
        """The button Enter presses on this screen (the one drawn as default), when it can be pressed now."""
        for candidate in self.findChildren(QPushButton):
            if candidate.isDefault() and candidate.isVisible() and candidate.isEnabled():
                return candidate
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Qt gives default buttons Enter only in dialogs; a screen of the main window does the same here.
        # A focused button or a field that uses Enter itself never gets this far.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            target = self.default_button()
            if target is not None:
                target.click()
                event.accept()
                return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            retranslate(self)
        super().changeEvent(event)

    def reset(self) -> None:
        """Forgets everything shown for the previous person. Screens override this."""

    def focus_first(self) -> None:
        """Puts keyboard focus where the person starts on this screen."""
        self.focusNextChild()
