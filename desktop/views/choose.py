"""Choosing the photos and videos: add files or a folder, or drop them here. No previews unless asked for."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..models import Column, ResultsModel
from ..i18n import N_
from .common import Screen, Source, button, files_table, note, paragraph, show, stretch_columns

__all__ = ["ChooseScreen"]


class ChooseScreen(Screen):
    """Signals:
    add_files_requested(), add_folder_requested(): open a file dialog (the window owns dialogs).
    paths_dropped(list): files or folders dropped on the screen.
    remove_requested(list): rows to take off the list.
    preview_requested(int): the person asked to see a blurred preview of this row.
    back_requested(), next_requested()
    """

    add_files_requested = Signal()
    add_folder_requested = Signal()
    paths_dropped = Signal(list)
    remove_requested = Signal(list)
    preview_requested = Signal(int)
    back_requested = Signal()
    next_requested = Signal()

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(N_("Choose your photos and videos"), parent)
        self.setAcceptDrops(True)
        self.body.addWidget(
            paragraph(N_(
                "Add the photos and videos you want removed. They stay on this computer: nothing is sent yet, "
                "and nobody can see them. You can also drag them into this window."
            ))
        )
        row = QHBoxLayout()
        self.add_files = button(N_("Add photos or videos…"), N_("Choose one or more files"))
        self.add_folder = button(N_("Add a folder…"), N_("Add every photo and video in a folder"))
        self.remove = button(N_("Remove from list"), N_("Take the selected files off the list"))
        row.addWidget(self.add_files)
        row.addWidget(self.add_folder)
        row.addStretch(1)
        row.addWidget(self.remove)
        self.body.addLayout(row)

        self.table = files_table(N_("Files you chose"))
        self.table.setModel(model)
        stretch_columns(self.table, Column.short_texts())
        self.empty_hint = paragraph(N_("No files yet. Pictures are never shown here unless you ask for a preview."))
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.empty_hint)
        self.problem = note()
        self.problem.hide()
        self.body.addWidget(self.problem)

        preview_row = QHBoxLayout()
        self.preview_button = button(
            N_("Show a blurred preview"), N_("Shows the selected photo, heavily blurred, to check it is the right one")
        )
        self.hide_preview_button = button(N_("Hide preview"))
        self.preview = QLabel()
        show(self.preview, N_("Blurred preview"), "accessibleName")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.preview.hide()
        self.hide_preview_button.hide()
        column = QVBoxLayout()
        column.addWidget(self.preview_button)
        column.addWidget(self.hide_preview_button)
        column.addWidget(
            paragraph(N_("Only you decide when a picture is shown. The preview is blurred and never saved."))
        )
        column.addStretch(1)
        preview_row.addLayout(column)
        preview_row.addWidget(self.preview, 1)
        self.body.addLayout(preview_row)

        self.back = button(N_("Back"))
        self.next = button(
            N_("Make fingerprints"), N_("Start making fingerprints of the files in the list"), default=True
        )
        self.buttons.addWidget(self.back)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.next)

        self.add_files.clicked.connect(self.add_files_requested)
        self.add_folder.clicked.connect(self.add_folder_requested)
        self.remove.clicked.connect(self._on_remove_clicked)
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.hide_preview_button.clicked.connect(self.hide_preview)
        self.back.clicked.connect(self.back_requested)
        self.next.clicked.connect(self.next_requested)
        model.rowsInserted.connect(self._update)
        model.rowsRemoved.connect(self._update)
        model.modelReset.connect(self._update)
        self.table.selectionModel().selectionChanged.connect(self._update)
        self._update()

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    def _update(self) -> None:
        has_files = self.table.model().rowCount() > 0
        selected = self.selected_rows()
        self.empty_hint.setVisible(not has_files)
        self.next.setEnabled(has_files)
        self.remove.setEnabled(bool(selected))
        self.preview_button.setEnabled(len(selected) == 1)
        if self.preview.isVisible() and len(selected) != 1:
            self.hide_preview()

    def _on_remove_clicked(self) -> None:
        self.hide_preview()
        self.remove_requested.emit(self.selected_rows())

    def _on_preview_clicked(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.preview_requested.emit(rows[0])

    def preview_side(self) -> int:
        return self.fontMetrics().height() * 12

    def show_preview(self, image: QImage | None) -> None:
        if image is None:
            self.preview.setPixmap(QPixmap())
            show(self.preview, N_("No preview for this file. Only photos Takeback can open have a preview."))
            self.preview.setWordWrap(True)
        else:
            show(self.preview, "")
            self.preview.setPixmap(QPixmap.fromImage(image))
        self.preview.setFixedHeight(self.preview_side())
        self.preview.show()
        self.hide_preview_button.show()

    def hide_preview(self) -> None:
        show(self.preview, "")
        self.preview.clear()
        self.preview.hide()
        self.hide_preview_button.hide()

    def show_problem(self, text: Source) -> None:
        show(self.problem, text)
        self.problem.setVisible(bool(text))

    def reset(self) -> None:
        self.hide_preview()
        self.show_problem("")
        self.table.clearSelection()

    def focus_first(self) -> None:
        self.add_files.setFocus()

    # Drag and drop: only local files and folders
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.paths_dropped.emit(paths)
