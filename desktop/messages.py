"""Every sentence the app shows about errors, states and case status, in words a frightened person can act on.

One place turns exceptions and service answers into text, for the window and the command line alike, so
neither formats errors or a case's status itself. Nothing here names a file or shows a fingerprint or key:
these sentences may be read over a shoulder.
"""

from __future__ import annotations

from dataclasses import dataclass

from client_api import CaseState, CaseStatus, FeedbackValue

__all__ = [
    "SOMETHING_WENT_WRONG",
    "STOPPED_BEFORE_FINISHED",
    "StatusText",
    "UserFacingError",
    "case_opened_anyway",
    "describe_error",
    "describe_status",
    "human_size",
    "known_errors",
]

SOMETHING_WENT_WRONG = (
    "Something went wrong inside Takeback. Nothing was sent and your photos and videos are unchanged. "
    "You can try again."
)
STOPPED_BEFORE_FINISHED = "Stopped before this file was finished."


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
    """The sentence to show for a failure reported by a job."""
    if isinstance(error, (*known_errors(), RuntimeError)):
        return str(error)  # our error families' messages are written for the person
    return SOMETHING_WENT_WRONG


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def case_opened_anyway(case_number: str, case_key: str) -> str:
    """Added to a send failure when the case was opened before sending stopped: its number and key must not
    be lost."""
    return f"Your case was opened. Write these down now: case number {case_number}, case key {case_key}."


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
        files = "1 photo or video" if status.item_count == 1 else f"{status.item_count} photos and videos"
        summary = (
            f"This case is active. Fingerprints of {files} are shared with the websites and apps that take part, "
            "so they can find and remove copies."
        )
    else:
        summary = (
            "This case is withdrawn. Websites and apps have been told to delete its fingerprints and stop "
            "looking for copies. You can start a new case at any time."
        )
    dates = f"Opened on {status.created_on:%d %B %Y}, last changed on {status.updated_on:%d %B %Y}."
    return StatusText(summary, dates, _feedback_sentences(status) if active else (), active)


# Unknown, None and QualityUnknown are left out: they tell the person nothing they can act on.
_FEEDBACK_WORDS = {
    FeedbackValue.BLOCKED: "found a match, checked it, and blocked it",
    FeedbackValue.DELETED: "found a match and deleted it",
    FeedbackValue.PENDING_REVIEW: "found a possible match and {are} checking it",
    FeedbackValue.NOT_BLOCKED: "found a possible match but decided not to block it",
    FeedbackValue.WITHDRAWN: "{have} removed the fingerprints after the case was withdrawn",
}


def _feedback_sentences(status: CaseStatus) -> tuple[str, ...]:
    """One sentence per kind of platform feedback; an empty case gets a reassuring sentence instead."""
    sentences = []
    for feedback in status.feedback:
        said = _FEEDBACK_WORDS.get(feedback.value)
        if said is None or feedback.platforms <= 0:
            continue
        if feedback.platforms == 1:
            sentences.append("1 website or app " + said.format(are="is", have="has") + ".")
        else:
            sentences.append(f"{feedback.platforms} websites or apps " + said.format(are="are", have="have") + ".")
    if not sentences:
        sentences.append(
            "No website or app has reported a match yet. That is normal: they check new uploads against your "
            "fingerprints all the time."
        )
    return tuple(sentences)
