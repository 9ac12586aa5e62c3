"""Text that follows the language, and changes that a screen reader hears when they happen.

Every visible string is set through :func:`show`, with either an English message (translated with the
catalogue) or a function that builds the text from the current state, so a language change can build it
again (:func:`retranslate`) without losing anything the person has done. The widget keeps its recipes, not
its strings: a case number, a count or a failure note comes back in the new language with the same values.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget

from ..i18n import _

__all__ = ["Source", "announce", "retranslate", "show", "text_of"]

#: An English message from the catalogue, or a function that builds the text in the current language.
Source = str | Callable[[], str]

_RECIPES = "_takeback_texts"


def text_of(source: Source) -> str:
    return source() if callable(source) else _(source)


def show(widget: QWidget, source: Source, what: str = "text") -> None:
    """Sets ``widget``'s ``what`` (``text``, ``accessibleName``, ``toolTip``, ``placeholderText``, ``title`` …)
    to ``source`` in the current language, and remembers how, for the next language change."""
    recipes: dict[str, Source] = widget.__dict__.setdefault(_RECIPES, {})
    recipes[what] = source
    _apply(widget, what, source)


def _apply(widget: QWidget, what: str, source: Source) -> None:
    getattr(widget, f"set{what[0].upper()}{what[1:]}")(text_of(source))


def retranslate(root: QWidget) -> None:
    """Builds every remembered text under ``root`` again, in the language now in use."""
    for widget in (root, *root.findChildren(QWidget)):
        for what, source in widget.__dict__.get(_RECIPES, {}).items():
            _apply(widget, what, source)


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Tells screen readers ``text`` now, without moving focus: for results that arrive while the person
    waits (the status after Check, the end of fingerprinting, a failure to send).

    Qt sends it as an AT-SPI "announcement" on Linux, a UIA notification on Windows and an NSAccessibility
    announcement on macOS. Nothing happens when no assistive technology is listening.
    """
    if not text or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive if urgent else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
