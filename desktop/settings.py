"""The app's few stored preferences, each declared once, kept in an INI file, and never on a shared computer.

Only display preferences and the shared-computer flag are stored; nothing about the person, their files or
their case ever is. In shared-computer mode this module never opens ``QSettings`` at all: values live in
memory and vanish when the app closes.
"""

from __future__ import annotations

import enum
import tempfile
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSettings

from .about import APP_ID, APP_NAME

__all__ = ["OPTIONS", "Option", "Settings", "TextSize"]

T = TypeVar("T")

#: Bumped when a key changes meaning; :meth:`Settings._upgrade` carries old files forward.
SETTINGS_VERSION = 1


class TextSize(enum.Enum):
    NORMAL = "normal"
    LARGE = "large"

    @property
    def scale(self) -> float:
        return 1.25 if self is TextSize.LARGE else 1.0


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    label: str

    def decode(self, raw: Any) -> T:
        """Turns what QSettings returns (often a string) into the declared type; bad values give the default."""
        default = self.default
        try:
            if isinstance(default, bool):
                flag = raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")
                return flag  # type: ignore[return-value]
            return type(default)(raw)  # type: ignore[call-arg]  # an enum from its value, or a plain type
        except (TypeError, ValueError):
            return default

    def encode(self, value: T) -> Any:
        return value.value if isinstance(value, enum.Enum) else value


SHARED_COMPUTER = Option("shared_computer", False, "This is a shared computer: keep nothing when Takeback closes")
TEXT_SIZE = Option("text_size", TextSize.NORMAL, "Larger text")
#: A language code from ``desktop.i18n.LANGUAGES``; empty means the system's. Like every option, it is kept
#: only in memory on a shared computer.
LANGUAGE = Option("language", "", "Language")

OPTIONS: tuple[Option[Any], ...] = (SHARED_COMPUTER, TEXT_SIZE, LANGUAGE)


class _SettingsSandbox:
    """Sends every QSettings file of this process, Qt's own included, to a temporary folder deleted at exit.

    WORKAROUND: QFileDialog saves its history and last folder through QSettings (``QtProject.conf``) when it
    is destroyed, even Qt's own non-native dialog (qfiledialog.cpp, ``QFileDialogPrivate::saveSettings``).
    Where QSettings' native format is a file (Linux and other freedesktop systems), redirecting the paths
    keeps that history off the disk the person leaves behind.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="takeback-")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, self._folder.name)

    def close(self) -> None:
        self._folder.cleanup()


class Settings:
    """Reads and writes the declared options.

    Args:
        shared: start in shared-computer mode (``--shared``). Then no file is read or written.
        path: an INI file to use instead of the per-user default (tests).
    """

    shared_computer = SHARED_COMPUTER
    text_size = TEXT_SIZE
    language = LANGUAGE

    def __init__(self, *, shared: bool = False, path: str | None = None) -> None:
        self._values: dict[str, Any] = {option.key: option.default for option in OPTIONS}
        self._store: QSettings | None = None
        self._sandbox: _SettingsSandbox | None = None
        self.shared_from_command_line = shared
        if shared:
            self._values[SHARED_COMPUTER.key] = True
            self._sandbox = _SettingsSandbox()
            return
        store = (
            QSettings(path, QSettings.Format.IniFormat)
            if path
            else QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_ID)
        )
        for option in OPTIONS:
            if store.contains(option.key):
                self._values[option.key] = option.decode(store.value(option.key))
        if self._values[SHARED_COMPUTER.key]:
            # The person asked for shared-computer mode earlier: from now on, do not touch the file.
            store.sync()
            self._sandbox = _SettingsSandbox()
            return
        self._store = store
        self._upgrade()

    @property
    def shared(self) -> bool:
        return bool(self._values[SHARED_COMPUTER.key])

    @property
    def persistent(self) -> bool:
        """True when changes are written to disk (never in shared-computer mode)."""
        return self._store is not None

    def get(self, option: Option[T]) -> T:
        return self._values[option.key]

    def set(self, option: Option[T], value: T) -> None:
        if option not in OPTIONS:
            raise ValueError(f"unknown option {option.key!r}")
        self._values[option.key] = value
        if self._store is not None:
            self._store.setValue("version", SETTINGS_VERSION)
            self._store.setValue(option.key, option.encode(value))
            self._store.sync()
        if option is SHARED_COMPUTER and value:
            self._store = None  # entering shared mode: the flag above was the last thing written
            if self._sandbox is None:
                self._sandbox = _SettingsSandbox()

    def close(self) -> None:
        """Deletes the shared-mode sandbox folder (at exit)."""
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def _upgrade(self) -> None:
        """Carries a file written by an older version forward (no key has changed meaning yet)."""
        assert self._store is not None
        stored = self._store.value("version")
        if stored is not None and str(stored) != str(SETTINGS_VERSION):
            self._store.setValue("version", SETTINGS_VERSION)
