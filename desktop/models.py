"""The list of files the person chose, as a Qt table model: name, kind, size, state and a plain-word message.

Paths live only in memory here, for as long as the person is using the app; "Start over" and "Quick exit"
drop them. The fingerprints of each file are kept next to it until they are sent.
"""

from __future__ import annotations

import enum
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from .i18n import N_, _
from .messages import human_size

if TYPE_CHECKING:
    from hashing import ImageFingerprints, VideoFingerprints

__all__ = ["Column", "FileEntry", "FileKind", "FileState", "ResultsModel"]


class FileKind(enum.Enum):
    PHOTO = N_("Photo")
    VIDEO = N_("Video")
    UNKNOWN = N_("Not sure yet")

    @classmethod
    def guess(cls, path: Path) -> FileKind:
        """A first guess from the name, for the list only; fingerprinting decides from the file's content."""
        mime, _ = mimetypes.guess_type(path.name)
        if mime and mime.startswith("image/"):
            return cls.PHOTO
        if mime and mime.startswith("video/"):
            return cls.VIDEO
        return cls.UNKNOWN


class FileState(enum.Enum):
    WAITING = N_("Not started")
    WORKING = N_("Working")
    READY = N_("Ready")
    READY_WITH_WARNING = N_("Ready, see note")
    FAILED = N_("Could not use")
    STOPPED = N_("Stopped")
    SENT = N_("Sent")

    @property
    def usable(self) -> bool:
        """Has fingerprints that can be sent."""
        return self in (FileState.READY, FileState.READY_WITH_WARNING)


_COLUMN_TITLES = (N_("File"), N_("Kind"), N_("Size"), N_("State"), N_("Note"))


class Column(enum.IntEnum):
    NAME = 0
    KIND = 1
    SIZE = 2
    STATE = 3
    MESSAGE = 4

    @property
    def title(self) -> str:
        return _(_COLUMN_TITLES[self])

    @classmethod
    def short_texts(cls) -> dict[int, list[str]]:
        """Every text the short columns can show in the current language, so views can size them."""
        return {
            cls.KIND: [cls.KIND.title, *(_(kind.value) for kind in FileKind)],
            cls.SIZE: [cls.SIZE.title, human_size(999_900_000), human_size(700)],
            cls.STATE: [cls.STATE.title, _working(1.0), *(_(state.value) for state in FileState)],
        }


def _working(progress: float) -> str:
    return _("Working {percent}%").format(percent=round(progress * 100))


@dataclass(eq=False)
class FileEntry:
    path: Path
    size: int | None
    kind: FileKind
    state: FileState = FileState.WAITING
    progress: float = 0.0
    message: str = ""
    fingerprints: ImageFingerprints | VideoFingerprints | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name


class ResultsModel(QAbstractTableModel):
    """Rows of :class:`FileEntry`, one per file; the controller changes them, views only show them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[FileEntry] = []

    # Qt's model interface
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return Column(section).title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole and column is Column.NAME:
            # A screen reader on the name hears the whole row: which file, its state and the note about it.
            note = self._text(entry, Column.MESSAGE)
            state = self._text(entry, Column.STATE)
            return (_("{name}: {state}. {note}") if note else _("{name}: {state}")).format(
                name=entry.name, state=state, note=note
            )
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(entry, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(entry: FileEntry, column: Column) -> str:
        if column is Column.NAME:
            return entry.name
        if column is Column.KIND:
            return _(entry.kind.value)
        if column is Column.SIZE:
            return human_size(entry.size)
        if column is Column.STATE:
            if entry.state is FileState.WORKING:
                return _working(entry.progress)
            return _(entry.state.value)
        return _(entry.message)

    def retranslate(self) -> None:
        """Shows every cell and heading again in the language now in use."""
        if self._entries:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._entries) - 1, len(Column) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    # What the controller uses
    @property
    def entries(self) -> tuple[FileEntry, ...]:
        return tuple(self._entries)

    def entry(self, row: int) -> FileEntry:
        return self._entries[row]

    def add(self, entries: list[FileEntry]) -> None:
        known = {entry.path for entry in self._entries}
        fresh = [entry for entry in entries if entry.path not in known]
        if not fresh:
            return
        first = len(self._entries)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._entries.extend(fresh)
        self.endInsertRows()

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._entries):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._entries[row]
                self.endRemoveRows()

    def changed(self, entry: FileEntry) -> None:
        """Tells the views that ``entry`` changed (state, progress, message)."""
        try:
            row = self._entries.index(entry)
        except ValueError:
            return  # removed, or the previous person's, since the job started
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def clear(self) -> None:
        self.beginResetModel()
        for entry in self._entries:
            entry.fingerprints = None
        self._entries = []
        self.endResetModel()

    def row_of(self, entry: FileEntry) -> int:
        return self._entries.index(entry)
