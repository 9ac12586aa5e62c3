"""The main window: a calm header with "Start over" and "Quick exit", and one screen of the journey below it.

The window wires screens to the controller and owns everything that opens a dialog, so screens stay simple
and tests can answer dialogs by replacing :meth:`MainWindow.confirm` and the ``ask_*`` methods.
"""

from __future__ import annotations

import enum
import time

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client_api import CaseStatus, Program

from .about import APP_NAME
from .clipboard import ClipboardGuard
from .controller import Controller
from .i18n import N_, Language, _
from .languages import apply_language
from .messages import case_opened_anyway, describe_status
from .models import FileState
from .sessions import Mode
from .settings import Settings, TextSize
from .views.case import CaseScreen
from .views.check import CheckScreen
from .views.choose import ChooseScreen
from .views.common import Screen, button, refresh_scaled_fonts, set_scaled_font, show
from .views.fingerprint import FingerprintScreen
from .views.flow import FlowLayout
from .views.language_menu import LanguageMenu, language_label
from .views.live import retranslate, text_of
from .views.review import ReviewScreen
from .views.send import SendScreen
from .views.welcome import Age, WelcomeScreen

__all__ = ["MainWindow", "Page", "QUICK_EXIT_KEYS"]

#: The quick-exit shortcut, documented in the README. Pressing Esc twice within a second and a half does
#: the same.
QUICK_EXIT_KEYS = "Ctrl+Shift+Q"
DOUBLE_ESCAPE_S = 1.5

MEDIA_PATTERNS = (
    "*.jpg *.jpeg *.png *.webp *.gif *.bmp *.tif *.tiff *.heic *.heif *.avif *.mp4 *.mov *.m4v *.mkv *.webm *.avi *.3gp"
)


def media_filter() -> str:
    return _("Photos and videos ({patterns});;All files (*)").format(patterns=MEDIA_PATTERNS)


class Page(enum.IntEnum):
    WELCOME = 0
    CHOOSE = 1
    FINGERPRINT = 2
    REVIEW = 3
    SEND = 4
    CASE = 5
    CHECK = 6


_PROGRAM_FOR_AGE = {Age.UNDER_18: Program.UNDER_18, Age.ADULT: Program.ADULT}


class MainWindow(QMainWindow):
    """Signals:
    exited(): the person used Quick exit; the window is already hidden and everything dropped.
    """

    exited = Signal()

    def __init__(self, controller: Controller, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.clipboard = ClipboardGuard()
        self._last_escape = 0.0
        self._exiting = False
        self._case_kept = False  # copied, saved or remembered since it was shown
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")

        self.quick_exit_button = button(
            N_("Quick exit"),
            lambda: _("Close Takeback at once and forget everything. Shortcut: {keys}, or Esc twice.").format(
                keys=QKeySequence(QUICK_EXIT_KEYS).toString(QKeySequence.SequenceFormat.NativeText)
            ),
        )
        set_scaled_font(self.quick_exit_button, 1.0, bold=True)
        self.start_over_button = button(
            N_("Start over"), N_("Clear everything and go back to the start, for the next person")
        )
        self.language_menu = LanguageMenu()
        self.shared_label = QLabel()
        self.header = header = QFrame()
        header.setFrameShape(QFrame.Shape.NoFrame)
        header_row = FlowLayout(header)
        em = self.fontMetrics().height()
        header_row.setContentsMargins(em // 2, em // 3, em // 2, em // 3)
        name = QLabel(APP_NAME)
        set_scaled_font(name, 1.1, bold=True)
        header_row.addWidget(name)
        header_row.addWidget(self.shared_label)
        header_row.addStretch(1)
        header_row.addWidget(language_label(self.language_menu))
        header_row.addWidget(self.language_menu)
        header_row.addWidget(self.start_over_button)
        header_row.addWidget(self.quick_exit_button)
        exit_hint = QLabel()
        show(exit_hint, N_("or press Esc twice"))
        show(exit_hint, N_("Quick exit shortcut: press Esc twice"), "accessibleName")
        header_row.addWidget(exit_hint)
        # Tab follows the reading order of the top bar (created in another order).
        QWidget.setTabOrder(self.language_menu, self.start_over_button)
        QWidget.setTabOrder(self.start_over_button, self.quick_exit_button)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        self.welcome = WelcomeScreen(
            shared=settings.shared,
            shared_locked=settings.shared_from_command_line,
            larger_text=settings.get(Settings.text_size) is TextSize.LARGE,
        )
        self.choose = ChooseScreen(controller.fingerprinting.files)
        self.fingerprint = FingerprintScreen(controller.fingerprinting.files)
        self.review = ReviewScreen()
        self.send = SendScreen()
        self.case = CaseScreen(can_remember=not settings.shared)
        self.check = CheckScreen(can_recall=not settings.shared)
        self.stack = QStackedWidget()
        for screen in self.screens:
            self.stack.addWidget(screen)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(header)
        column.addWidget(line)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        em = self.fontMetrics().height()
        # Never larger than the screen: at 200% on a 1366x768 display that is 683x384 (minus the taskbar).
        available = self.screen().availableGeometry()
        self.resize(min(em * 52, available.width()), min(em * 40, available.height()))

        QShortcut(QKeySequence(QUICK_EXIT_KEYS), self, self.quick_exit, Qt.ShortcutContext.ApplicationShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape, Qt.ShortcutContext.ApplicationShortcut)
        self._connect()
        self._update_shared_label()
        self.go(Page.WELCOME)

    @property
    def screens(self) -> tuple[Screen, ...]:
        return (self.welcome, self.choose, self.fingerprint, self.review, self.send, self.case, self.check)

    @property
    def page(self) -> Page:
        return Page(self.stack.currentIndex())

    def go(self, page: Page) -> None:
        self.stack.setCurrentIndex(page)
        self._update_title()
        self.screens[page].focus_first()

    def _update_title(self) -> None:
        screen = self.screens[self.page]
        self.setWindowTitle(_("{app}: {screen}").format(app=APP_NAME, screen=screen.accessibleName()))

    def set_language(self, language: Language) -> None:
        """Switches the whole app to ``language`` now; the screen on show stays as it is, in the new words."""
        self.settings.set(Settings.language, language.code)
        apply_language(language)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            # The window hears the change before its children: translate everything now, then the title.
            retranslate(self.centralWidget())
            self.controller.fingerprinting.files.retranslate()
            self._update_title()
        super().changeEvent(event)

    # --- wiring --------------------------------------------------------------------------------------------
    def _connect(self) -> None:
        files, session = self.controller.fingerprinting, self.controller.case
        self.quick_exit_button.clicked.connect(self.quick_exit)
        self.start_over_button.clicked.connect(self._on_start_over_clicked)
        self.language_menu.chosen.connect(self.set_language)
        self.welcome.language_chosen.connect(self.set_language)

        self.welcome.started.connect(self._on_welcome_started)
        self.welcome.check_requested.connect(lambda: self.go(Page.CHECK))
        self.welcome.shared_mode_toggled.connect(self._on_shared_mode_toggled)
        self.welcome.larger_text_toggled.connect(self._on_larger_text_toggled)

        self.choose.add_files_requested.connect(self._on_add_files_requested)
        self.choose.add_folder_requested.connect(self._on_add_folder_requested)
        self.choose.paths_dropped.connect(files.add_paths)
        self.choose.remove_requested.connect(files.remove_rows)
        self.choose.preview_requested.connect(lambda row: files.preview(row, self.choose.preview_side()))
        self.choose.back_requested.connect(self._on_choose_back)
        self.choose.next_requested.connect(self.start_fingerprinting)
        files.files_added.connect(self._on_files_added)
        files.files_failed.connect(self.choose.show_problem)
        files.preview_ready.connect(self.choose.show_preview)

        self.fingerprint.cancel_requested.connect(self._on_cancel_requested)
        self.fingerprint.retry_requested.connect(self.start_fingerprinting)
        self.fingerprint.back_requested.connect(lambda: self.go(Page.CHOOSE))
        self.fingerprint.next_requested.connect(self.show_review)
        files.hashing_progressed.connect(self.fingerprint.on_progressed)
        files.hashing_finished.connect(self._on_hashing_finished)

        self.review.payload_requested.connect(lambda: self.review.set_payload(session.payload_text()))
        self.review.dihedral_toggled.connect(self._on_review_dihedral_toggled)
        self.review.back_requested.connect(lambda: self.go(Page.FINGERPRINT))
        self.review.send_requested.connect(self.start_sending)

        self.send.retry_requested.connect(self.start_sending)
        self.send.save_bundle_requested.connect(self._on_save_bundle_requested)
        self.send.back_requested.connect(lambda: self.go(Page.REVIEW))
        session.send_progressed.connect(self.send.on_sending)
        session.send_failed.connect(self._on_send_failed)
        session.sent.connect(self._on_sent)
        session.bundle_saved.connect(self.send.on_bundle_saved)
        session.bundle_failed.connect(self.send.on_bundle_failed)

        self.case.copy_requested.connect(self._on_copy_requested)
        self.case.save_requested.connect(self._on_save_case_requested)
        self.case.remember_toggled.connect(self._on_remember_toggled)
        self.case.check_requested.connect(self._on_case_check_requested)
        session.case_file_saved.connect(self._on_case_file_saved)
        session.case_file_failed.connect(self.case.on_saved)
        session.remembered.connect(lambda: self.case.on_saved(N_("This computer will remember the case.")))
        session.remember_failed.connect(self.case.on_saved)
        session.forget_failed.connect(self.case.on_saved)

        self.check.check_requested.connect(session.check_case)
        self.check.recall_requested.connect(self._on_recall_requested)
        session.recalled.connect(self.check.show_remembered)
        session.recall_failed.connect(self.check.show_problem)
        self.check.add_more_requested.connect(self._on_add_more_requested)
        self.check.withdraw_requested.connect(self._on_withdraw_requested)
        self.check.back_requested.connect(lambda: self.go(Page.WELCOME))
        session.status_loaded.connect(self._show_status)
        session.status_failed.connect(self.check.show_problem)
        session.withdrawn.connect(self._show_status)
        session.withdraw_failed.connect(self.check.show_problem)

    # --- dialogs (tests replace these) ---------------------------------------------------------------------
    def _dialog_options(self) -> QFileDialog.Option:
        # Qt's own dialog in shared mode: native ones add chosen files to the system's "recent" lists.
        if self.settings.shared:
            return QFileDialog.Option.DontUseNativeDialog
        return QFileDialog.Option(0)

    def ask_open_files(self) -> list[str]:
        files, _filter = QFileDialog.getOpenFileNames(
            self, _("Choose photos or videos"), "", media_filter(), options=self._dialog_options()
        )
        return files

    def ask_folder(self) -> str:
        options = self._dialog_options() | QFileDialog.Option.ShowDirsOnly
        return QFileDialog.getExistingDirectory(self, _("Choose a folder"), "", options=options)

    def ask_save_path(self, title: str, suggested_name: str, file_filter: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, title, suggested_name, file_filter, options=self._dialog_options()
        )
        return path

    def confirm(self, title: str, text: str, yes: str) -> bool:
        """Asks a yes-or-no question; the arguments are English messages, shown in the current language."""
        box = QMessageBox(QMessageBox.Icon.Question, _(title), _(text), QMessageBox.StandardButton.NoButton, self)
        yes_button = box.addButton(_(yes), QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.exec()
        return box.clickedButton() is yes_button

    # --- safety --------------------------------------------------------------------------------------------
    def quick_exit(self) -> None:
        """Hides the window at once, drops everything, takes our text off the clipboard, and asks to quit."""
        self._exiting = True
        self.hide()
        self.clipboard.clear_if_ours()
        self._drop_everything()
        self.exited.emit()

    def _on_escape(self) -> None:
        now = time.monotonic()
        if now - self._last_escape <= DOUBLE_ESCAPE_S:
            self._last_escape = 0.0
            self.quick_exit()
        else:
            self._last_escape = now

    def _on_start_over_clicked(self) -> None:
        if self._has_something() and not self.confirm(
            N_("Start over?"),
            N_("Everything on screen will be cleared: the files, their fingerprints and any case number and key. "
               "Make sure the case number and key are written down or saved first."),
            N_("Clear everything"),
        ):
            return
        self.start_over()

    def start_over(self) -> None:
        """Clears every trace of the previous person and shows the welcome screen."""
        self.clipboard.clear_if_ours()
        self._drop_everything()
        self.go(Page.WELCOME)

    def _drop_everything(self) -> None:
        self.controller.start_over()
        for screen in self.screens:
            screen.reset()

    def _case_unkept(self) -> bool:
        """A case number and key are on screen (or in a failure message) and were not copied or saved yet."""
        c = self.controller.case
        half_sent = self.page is Page.SEND and c.credentials is not None and c.mode is Mode.NEW_CASE
        return (self.page is Page.CASE or half_sent) and not self._case_kept

    def _has_something(self) -> bool:
        case = self.controller.case
        return bool(
            self.controller.fingerprinting.files.rowCount() or case.credentials is not None or case.program is not None
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._exiting and self._case_unkept() and not self.confirm(
            N_("Close Takeback?"),
            N_("You have not copied or saved your case number and key yet. Without them you cannot check or "
               "withdraw your case later, and nobody can give them to you again."),
            N_("Close anyway"),
        ):
            event.ignore()
            return
        self.clipboard.clear_if_ours()
        self._drop_everything()
        super().closeEvent(event)

    # --- welcome -------------------------------------------------------------------------------------------
    def _on_welcome_started(self, age: Age) -> None:
        self.controller.case.choose_program(_PROGRAM_FOR_AGE[age])
        self.go(Page.CHOOSE)

    def _on_shared_mode_toggled(self, shared: bool) -> None:
        self.settings.set(Settings.shared_computer, shared)
        self.case.set_can_remember(not self.settings.shared)
        self.check.set_can_recall(not self.settings.shared)
        self._update_shared_label()

    def _update_shared_label(self) -> None:
        show(self.shared_label, N_("Shared computer: nothing is kept") if self.settings.shared else "")

    def _on_larger_text_toggled(self, larger: bool) -> None:
        self.settings.set(Settings.text_size, TextSize.LARGE if larger else TextSize.NORMAL)
        apply_text_size(self.settings.get(Settings.text_size))

    # --- choose --------------------------------------------------------------------------------------------
    def _on_add_files_requested(self) -> None:
        files = self.ask_open_files()
        if files:
            self.controller.fingerprinting.add_paths(files)

    def _on_add_folder_requested(self) -> None:
        folder = self.ask_folder()
        if folder:
            self.controller.fingerprinting.add_paths([folder])

    def _on_files_added(self, count: int) -> None:
        self.choose.show_problem(
            "" if count else N_(
                "No new photos or videos were found there. Files already in the list are not added twice."
            )
        )

    def _on_choose_back(self) -> None:
        self.go(Page.CHECK if self.controller.case.mode is Mode.ADD_TO_CASE else Page.WELCOME)

    # --- fingerprint ---------------------------------------------------------------------------------------
    def start_fingerprinting(self) -> None:
        self.fingerprint.reset()
        self.go(Page.FINGERPRINT)
        self.fingerprint.on_started()
        self.controller.fingerprinting.start_hashing()

    def _on_cancel_requested(self) -> None:
        self.fingerprint.on_stopping()
        self.controller.fingerprinting.cancel_hashing()

    def _on_hashing_finished(self, usable: int, failed: int) -> None:
        stopped = sum(1 for e in self.controller.fingerprinting.files.entries if e.state is FileState.STOPPED)
        self.fingerprint.on_finished(usable, failed - stopped, stopped)

    # --- review and send -----------------------------------------------------------------------------------
    def show_review(self) -> None:
        self.review.reset()
        self.review.dihedral.setChecked(self.controller.fingerprinting.dihedral)
        self.review.dihedral.setEnabled(not self.controller.case.send_attempted)  # a retry resends the same
        self._show_review_summary()
        self.go(Page.REVIEW)

    def _show_review_summary(self) -> None:
        case = self.controller.case
        self.review.set_summary(
            self.controller.fingerprinting.review_summary(),
            under_18=case.program is Program.UNDER_18,
            adding=case.mode is Mode.ADD_TO_CASE,
        )

    def _on_review_dihedral_toggled(self, include: bool) -> None:
        self.controller.fingerprinting.set_dihedral(include)
        self._show_review_summary()

    def start_sending(self) -> None:
        self.review.dihedral.setEnabled(False)  # a retry must resend the same; "Back" returns here
        self.go(Page.SEND)
        self.send.on_sending(0, 0)
        self.controller.case.send()

    def _on_send_failed(self, message: str) -> None:
        c = self.controller.case
        if c.credentials is not None and c.mode is Mode.NEW_CASE:
            # The case was opened before sending stopped: the person must not lose its number and key.
            number, key = c.display_case_number(), c.display_case_key()
            self.send.on_failed(lambda: f"{text_of(message)}\n\n{case_opened_anyway(number, key)}")
            return
        self.send.on_failed(message)

    def _on_save_bundle_requested(self) -> None:
        path = self.ask_save_path(
            _("Save the fingerprints to send later"), "takeback-fingerprints.json", _("Takeback fingerprints (*.json)")
        )
        if path:
            self.controller.case.save_bundle(path)

    def _on_sent(self, _status: CaseStatus) -> None:
        c = self.controller.case
        self._case_kept = False
        self.case.reset()
        self.case.show_case(c.display_case_number(), c.display_case_key(), added=c.mode is Mode.ADD_TO_CASE)
        self.go(Page.CASE)

    # --- your case -----------------------------------------------------------------------------------------
    def _on_copy_requested(self, text: str) -> None:
        self.clipboard.copy(text)
        self._case_kept = True
        self.case.on_saved(N_("Copied. Paste it somewhere private, such as a note only you can open."))

    def _on_case_file_saved(self) -> None:
        self._case_kept = True
        self.case.on_saved(N_("Saved. Keep that file somewhere private."))

    def _on_save_case_requested(self) -> None:
        path = self.ask_save_path(_("Save your case number and key"), "takeback-case.txt", _("Text files (*.txt)"))
        if path:
            self.controller.case.save_case_file(path)

    def _on_remember_toggled(self, remember: bool) -> None:
        if self.settings.shared:
            return
        if remember:
            self._case_kept = True
            self.controller.case.remember_case()
        else:
            self.controller.case.forget_case()

    def _on_case_check_requested(self) -> None:
        c = self.controller.case
        self.check.reset()
        self.check.fill(c.display_case_number(), c.display_case_key())
        self.go(Page.CHECK)
        self.check.show_busy(N_("Checking…"))
        c.refresh_status()

    # --- check ---------------------------------------------------------------------------------------------
    def _show_status(self, status: CaseStatus) -> None:
        # Built again on a language change: the sentences come from the catalogue each time.
        self.check.show_status(
            lambda: describe_status(status).summary,
            lambda: "\n".join(describe_status(status).feedback),
            active=describe_status(status).active,
        )

    def _on_recall_requested(self) -> None:
        if not self.settings.shared:
            self.controller.case.recall_cases()

    def _on_add_more_requested(self) -> None:
        self.controller.case.add_more_to_case()
        self.choose.reset()
        self.go(Page.CHOOSE)

    def _on_withdraw_requested(self) -> None:
        if self.confirm(
            N_("Withdraw this case?"),
            N_("Websites and apps will be told to delete this case's fingerprints and stop looking for copies. "
               "Photos or videos they already removed stay removed. You cannot undo this, but you can start a new "
               "case at any time."),
            N_("Withdraw the case"),
        ):
            self.check.show_busy(N_("Withdrawing…"))
            self.controller.case.withdraw()


def apply_text_size(size: TextSize) -> None:
    """Scales the application font, then refreshes widgets that set their own relative font."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    base = app.property("takeback_base_point_size")
    if base is None:
        base = app.font().pointSizeF()
        app.setProperty("takeback_base_point_size", base)
    font = app.font()
    if float(base) > 0:
        font.setPointSizeF(float(base) * size.scale)
    app.setFont(font)
    refresh_scaled_fonts()
