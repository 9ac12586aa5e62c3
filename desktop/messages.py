"""Every sentence the app shows about errors, states and case status, in words a frightened person can act on.

One place turns exceptions and service answers into text, for the window and the command line alike, so
neither formats errors or a case's status itself. Nothing here names a file or shows a fingerprint or key:
these sentences may be read over a shoulder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from client_api import CaseState, CaseStatus, FeedbackValue

from .i18n import N_, NP_, _, ngettext, translate_error

__all__ = [
    "SOMETHING_WENT_WRONG",
    "STOPPED_BEFORE_FINISHED",
    "StatusText",
    "UserFacingError",
    "case_opened_anyway",
    "describe_error",
    "describe_status",
    "human_date",
    "human_size",
    "known_errors",
]

SOMETHING_WENT_WRONG = N_(
    "Something went wrong inside Takeback. Nothing was sent and your photos and videos are unchanged. "
    "You can try again."
)
STOPPED_BEFORE_FINISHED = N_("Stopped before this file was finished.")


class UserFacingError(Exception):
    """A failure of the app's own small tasks (saving a file the person chose) with a sentence for them."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def known_errors() -> tuple[type[BaseException], ...]:
    """The error roots of the libraries we call: environment faults with messages written for the person.

    Imported here, not at module load: ``hashing`` loads numpy and the decoders, which the window and the
    command line do not need until a file is fingerprinted.
    """
    from client_api.errors import ClientError
    from hashing.errors import HashingError

    return (HashingError, ClientError, UserFacingError)


def describe_error(error: BaseException) -> str:
    """The sentence to show for a failure reported by a job, ready for ``_()`` at display time.

    A fixed sentence stays the English message, so the screen showing it follows a later language change; a
    sentence with fields (a reason, an address) comes already translated and filled in.
    """
    if isinstance(error, (*known_errors(), RuntimeError)):
        # our error families' messages are written for the person
        return translate_error(error) if getattr(error, "template", None) else str(error)
    return SOMETHING_WENT_WRONG


_UNITS = (N_("{size} KB"), N_("{size} MB"), N_("{size} GB"))


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1000:
        return ngettext("{size} byte", "{size} bytes", size).format(size=size)
    value = size / 1000
    for unit in _UNITS:
        if value < 1000 or unit is _UNITS[-1]:
            return _(unit).format(size=f"{value:.1f}")
        value /= 1000
    raise AssertionError("unreachable")


_MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)


def human_date(day: date) -> str:
    """A date as people write it in the current language ("20 November 2026", "20. November 2026",
    "2026年11月20日"), not as the C library's locale would, which the app does not set."""
    # Translators: a date. Put {day}, {month} (the month's name) and {year} in your language's order.
    return _("{day} {month} {year}").format(day=day.day, month=_(_MONTHS[day.month - 1]), year=day.year)


def case_opened_anyway(case_number: str, case_key: str) -> str:
    """Added to a send failure when the case was opened before sending stopped: its number and key must not
    be lost."""
    return _("Your case was opened. Write these down now: case number {number}, case key {key}.").format(
        number=case_number, key=case_key
    )


@dataclass(frozen=True, slots=True)
class StatusText:
    """A case's status in sentences: what the window shows and ``takeback status`` prints.

    Attributes:
        summary: whether the case is active, and what it holds.
        dates: when it was opened and last changed.
        feedback: one sentence per kind of platform feedback; none for a withdrawn case.
        active: False once the case is withdrawn (nothing more can be done with it).
    """

    summary: str
    dates: str
    feedback: tuple[str, ...]
    active: bool


def describe_status(status: CaseStatus) -> StatusText:
    """Plain words for a case's status, from the service's answer."""
    active = status.state is CaseState.ACTIVE
    if active:
        summary = ngettext(
            "This case is active. Fingerprints of {n} photo or video are shared with the websites and apps that "
            "take part, so they can find and remove copies.",
            "This case is active. Fingerprints of {n} photos and videos are shared with the websites and apps "
            "that take part, so they can find and remove copies.",
            status.item_count,
        ).format(n=status.item_count)
    else:
        summary = _(
            "This case is withdrawn. Websites and apps have been told to delete its fingerprints and stop "
            "looking for copies. You can start a new case at any time."
        )
    dates = _("Opened on {opened}, last changed on {changed}.").format(
        opened=human_date(status.created_on), changed=human_date(status.updated_on)
    )
    return StatusText(summary, dates, _feedback_sentences(status) if active else (), active)


# Whole sentences, singular and plural, so every language can say them its own way. Unknown, None and
# QualityUnknown are left out: they tell the person nothing they can act on.
_FEEDBACK_SENTENCES = {
    FeedbackValue.BLOCKED: NP_(
        "{n} website or app found a match, checked it, and blocked it.",
        "{n} websites or apps found a match, checked it, and blocked it.",
    ),
    FeedbackValue.DELETED: NP_(
        "{n} website or app found a match and deleted it.",
        "{n} websites or apps found a match and deleted it.",
    ),
    FeedbackValue.PENDING_REVIEW: NP_(
        "{n} website or app found a possible match and is checking it.",
        "{n} websites or apps found a possible match and are checking it.",
    ),
    FeedbackValue.NOT_BLOCKED: NP_(
        "{n} website or app found a possible match but decided not to block it.",
        "{n} websites or apps found a possible match but decided not to block it.",
    ),
    FeedbackValue.WITHDRAWN: NP_(
        "{n} website or app has removed the fingerprints after the case was withdrawn.",
        "{n} websites or apps have removed the fingerprints after the case was withdrawn.",
    ),
}


def _feedback_sentences(status: CaseStatus) -> tuple[str, ...]:
    """One sentence per kind of platform feedback; an empty case gets a reassuring sentence instead."""
    sentences = []
    for feedback in status.feedback:
        forms = _FEEDBACK_SENTENCES.get(feedback.value)
        if forms is None or feedback.platforms <= 0:
            continue
        sentences.append(ngettext(*forms, feedback.platforms).format(n=feedback.platforms))
    if not sentences:
        sentences.append(_(
            "No website or app has reported a match yet. That is normal: they check new uploads against your "
            "fingerprints all the time."
        ))
    return tuple(sentences)
