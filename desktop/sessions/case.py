"""The case session: the programme, sending fingerprints, and the case the person got back or checked.

The case number and key live here, in memory only, until the person starts over.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance

from client_api import CaseCredentials, CaseStatus, IncompleteSubmission, Item, Program, format_case_key

from ..i18n import N_, _
from ..jobs import JobContext
from ..messages import UserFacingError, describe_error
from ..models import FileEntry
from .base import Session
from .fingerprinting import FingerprintingSession

if TYPE_CHECKING:
    from ..backend import Backend
    from ..jobs import JobRunner

__all__ = ["CaseFile", "CaseSession", "Mode"]


class Mode(enum.Enum):
    NEW_CASE = "new_case"  #: the journey creates a new case
    ADD_TO_CASE = "add_to_case"  #: the person checked an existing case and adds more files to it


@dataclass
class _SendPlan:
    """One send, kept across retries: a retry repeats the same request (same items, case key and idempotency
    key), so the service answers it once and never opens a second case."""

    program: Program
    entries: tuple[FileEntry, ...]
    items: list[Item]
    idempotency_key: str
    revision: int  # the fingerprinting session's, when the plan was made
    dihedral: bool  # the turned and mirrored PDQ hashes are in ``items``
    attempted: bool = False  # sent at least once: a retry must repeat exactly these items
    case_key: str | None = None  # only for a new case
    credentials: CaseCredentials | None = None  # known once the case exists


@dataclass
class CaseFile:
    """What "save to a file" writes: the case number and key, and how to use them."""

    case_number: str
    case_key: str
    address: str = field(default="")

    def text(self) -> str:
        # In the person's language; the number and key each stand alone on their own line.
        return "\n".join((
            _("Takeback case"),
            "",
            _("Case number: {number}").format(number=self.case_number),
            _("Case key: {key}").format(key=self.case_key),
            "",
            _(
                "Keep this file somewhere private. With the number and the key you can check your case, add more "
                "photos or videos to it, or withdraw it. Nobody can recover the key if it is lost."
            ),
            "",
        ))


class CaseSession(Session):
    """Sends what the fingerprinting session made ready, and checks, remembers or withdraws a case.

    Args:
        files: the fingerprinting session whose usable files are sent.

    Signals:
        send_progressed(int, int): steps done and steps in total (0, 0 while the length is unknown).
        sent(object): the ``CaseStatus`` after everything was sent.
        send_failed(str): why sending stopped; nothing is lost, ``send()`` again retries.
        bundle_saved(): the offline bundle was written.
        bundle_failed(str)
        case_file_saved(): the case number and key were written where the person chose.
        case_file_failed(str)
        status_loaded(object): the ``CaseStatus`` of the case that was checked.
        status_failed(str)
        withdrawn(object): the ``CaseStatus`` after withdrawing.
        withdraw_failed(str)
        remembered(): the case was stored in the system keyring.
        remember_failed(str)
        forgotten(): the case was taken out of the system keyring.
        forget_failed(str)
        recalled(list): the cases remembered on this computer, as ``(case number, case key)`` pairs.
        recall_failed(str)
    """

    send_progressed = Signal(int, int)
    sent = Signal(object)
    send_failed = Signal(str)
    bundle_saved = Signal()
    bundle_failed = Signal(str)
    case_file_saved = Signal()
    case_file_failed = Signal(str)
    status_loaded = Signal(object)
    status_failed = Signal(str)
    withdrawn = Signal(object)
    withdraw_failed = Signal(str)
    remembered = Signal()
    remember_failed = Signal(str)
    forgotten = Signal()
    forget_failed = Signal(str)
    recalled = Signal(list)
    recall_failed = Signal(str)

    def __init__(
        self, backend: Backend, runner: JobRunner, files: FingerprintingSession, parent: QObject | None = None
    ) -> None:
        super().__init__(backend, runner, parent)
        self.fingerprinting = files
        self._clear_state()

    def _clear_state(self) -> None:
        self.program: Program | None = None
        self.mode = Mode.NEW_CASE
        self.credentials: CaseCredentials | None = None
        self.case_status: CaseStatus | None = None
        self._plan: _SendPlan | None = None

    def reset(self) -> None:
        """Drops the programme, the case number and key, and what was about to be sent."""
        super().reset()
        if self._plan is not None:
            self._plan.items.clear()
        self._clear_state()

    def choose_program(self, program: Program) -> None:
        self.program = program

    # --- what will be sent ---------------------------------------------------------------------------------
    def _current_plan(self) -> _SendPlan:
        files = self.fingerprinting
        usable = files.usable_entries()
        plan = self._plan
        if plan is not None and plan.revision == files.revision and (
            plan.entries == usable or plan.credentials is not None
        ) and (plan.attempted or plan.dihedral == files.dihedral):
            return plan
        program = self.program
        if self.mode is Mode.ADD_TO_CASE and self.case_status is not None:
            program = self.case_status.program
        if program is None:
            raise RuntimeError("choose a programme before sending")
        plan = _SendPlan(
            program=program,
            entries=usable,
            items=self.backend.to_items([files.as_sent(e.fingerprints) for e in usable if e.fingerprints is not None]),
            idempotency_key=self.backend.new_idempotency_key(),
            revision=files.revision,
            dihedral=files.dihedral,
        )
        if self.mode is Mode.NEW_CASE:
            plan.case_key = self.backend.new_case_key()
        else:
            plan.credentials = self.credentials
        self._plan = plan
        return plan

    @property
    def send_attempted(self) -> bool:
        """A send was tried and may have reached the service: what it sends can no longer change."""
        return self._plan is not None and self._plan.attempted

    def payload_text(self) -> str:
        """Exactly what will be sent (the case key masked), built by ``client_api``'s own serialiser."""
        plan = self._current_plan()
        return self.backend.payload_text(plan.program, plan.items, new_case=self.mode is Mode.NEW_CASE)

    # --- send ----------------------------------------------------------------------------------------------
    def send(self) -> None:
        """Sends (or, after a failure, sends again, safely) the usable fingerprints."""
        plan = self._current_plan()
        if not plan.items:
            self.send_failed.emit(N_("There are no fingerprints to send. Add photos or videos first."))
            return
        backend, new_case = self.backend, self.mode is Mode.NEW_CASE
        plan.attempted = True

        def work(ctx: JobContext) -> CaseStatus:
            if not new_case:
                assert plan.credentials is not None
                return backend.add_items(
                    plan.credentials, plan.items, idempotency_key=plan.idempotency_key, cancel=ctx.cancel,
                    progress=ctx.progress,
                )
            assert plan.case_key is not None
            try:
                status = backend.create_case(
                    plan.program, plan.items, case_key=plan.case_key, idempotency_key=plan.idempotency_key,
                    cancel=ctx.cancel, progress=ctx.progress,
                )
            except IncompleteSubmission as exc:
                # Some requests got through: the case exists, so keep its number and key whatever happens next.
                plan.credentials = exc.credentials
                raise
            plan.credentials = CaseCredentials(status.case_number, plan.case_key)
            return status

        steps = 100
        self.runner.network(
            work,
            on_done=self._guard(lambda status: self._on_sent(plan, status)),
            on_failed=self._guard(lambda error: self._on_send_failed(error, plan)),
            on_progress=self._guard(lambda f: self.send_progressed.emit(round(f * steps), steps)),
        )
        self.send_progressed.emit(0, 0)

    def _on_sent(self, plan: _SendPlan, status: CaseStatus) -> None:
        self.credentials = plan.credentials
        self.case_status = status
        self.fingerprinting.mark_sent(plan.entries)
        self._plan = None
        self.sent.emit(status)

    def _on_send_failed(self, error: BaseException, plan: _SendPlan) -> None:
        if plan.credentials is not None and self.credentials is None:
            # The case exists even though later requests failed: keep its number and key.
            self.credentials = plan.credentials
        self.send_failed.emit(describe_error(error))

    def save_bundle(self, path: Path | str) -> None:
        """Saves what would be sent to ``path`` (chosen by the person) to send later; nothing is lost."""
        plan = self._current_plan()
        target, backend = Path(path), self.backend
        self._queue(
            lambda _ctx: backend.save_bundle(target, plan.program, plan.items),
            done=lambda _none: self.bundle_saved.emit(),
            failed=self.bundle_failed,
        )

    # --- your case -----------------------------------------------------------------------------------------
    def _known_credentials(self) -> CaseCredentials:
        if self.credentials is None:
            raise RuntimeError("there is no case yet")
        return self.credentials

    def case_file(self) -> CaseFile:
        return CaseFile(self.display_case_number(), self.display_case_key())

    def display_case_number(self) -> str:
        return self._known_credentials().case_number

    def display_case_key(self) -> str:
        """The key in groups, for reading aloud and copying by hand."""
        return format_case_key(self._known_credentials().case_key)

    def save_case_file(self, path: Path | str) -> None:
        """Writes the case number and key to ``path``, which the person chose."""
        text = self.case_file().text()
        target = Path(path)

        def work(_ctx: JobContext) -> None:
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UserFacingError(N_(
                    "The file could not be saved there. Choose another place, for example your Documents "
                    "folder or a USB stick."
                )) from exc

        self._queue(work, done=lambda _none: self.case_file_saved.emit(), failed=self.case_file_failed)

    def remember_case(self) -> None:
        """Stores the case in the system keyring; only when the person asks."""
        self._keyring(self.backend.remember, done=self.remembered, failed=self.remember_failed)

    def forget_case(self) -> None:
        """Takes the case back out of the system keyring."""
        self._keyring(self.backend.forget, done=self.forgotten, failed=self.forget_failed)

    def _keyring(
        self, call: Callable[[CaseCredentials], None], *, done: SignalInstance, failed: SignalInstance
    ) -> None:
        credentials = self._known_credentials()
        self._queue(lambda _ctx: call(credentials), done=lambda _none: done.emit(), failed=failed)

    def recall_cases(self) -> None:
        """Reads the cases remembered in the keyring; only when the person asks, never in shared mode."""
        backend = self.backend

        def work(_ctx: JobContext) -> list[tuple[str, str]]:
            return [(c.case_number, c.case_key) for c in backend.recall()]

        self._queue(work, done=self.recalled.emit, failed=self.recall_failed)

    # --- check a case --------------------------------------------------------------------------------------
    def check_case(self, case_number: str, case_key: str) -> None:
        """Asks the service about the case the person typed; a mistyped number or key fails before sending."""
        backend = self.backend

        def work(_ctx: JobContext) -> tuple[CaseCredentials, CaseStatus]:
            credentials = CaseCredentials(case_number, case_key)
            return credentials, backend.status(credentials)

        self._queue(work, done=self._on_checked, failed=self.status_failed)

    def refresh_status(self) -> None:
        credentials, backend = self._known_credentials(), self.backend
        self._queue(
            lambda _ctx: (credentials, backend.status(credentials)), done=self._on_checked, failed=self.status_failed
        )

    def _on_checked(self, result: tuple[CaseCredentials, CaseStatus]) -> None:
        self.credentials, self.case_status = result
        self.status_loaded.emit(self.case_status)

    def add_more_to_case(self) -> None:
        """Starts choosing files again, to add them to the case that was just checked or created."""
        self._known_credentials()
        self.mode = Mode.ADD_TO_CASE
        if self.case_status is not None:
            self.program = self.case_status.program
        self._plan = None
        self.fingerprinting.files.clear()

    def withdraw(self) -> None:
        credentials, backend = self._known_credentials(), self.backend
        self._queue(lambda _ctx: backend.withdraw(credentials), done=self._on_withdrawn, failed=self.withdraw_failed)

    def _on_withdrawn(self, status: CaseStatus) -> None:
        self.case_status = status
        self.withdrawn.emit(status)
