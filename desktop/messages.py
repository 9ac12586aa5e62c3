"""Every sentence the app shows about errors, states and case status, in words a frightened person can act on.

One place turns exceptions and service answers into text, so the views never format errors themselves.
Nothing here names a file or shows a fingerprint or key: these sentences may be read over a shoulder.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = [
    "SOMETHING_WENT_WRONG",
    "UserFacingError",
    "describe_error",
    "feedback_sentences",
    "human_size",
    "known_errors",
    "status_sentence",
]

SOMETHING_WENT_WRONG = (
    "Something went wrong inside Takeback. Nothing was sent and your photos and videos are unchanged. "
    "You can try again."
)


class UserFacingError(Exception):
    """A failure of the app's own small tasks (saving a file the person chose) with a sentence for them."""

    @property
    def message(self) -> str:
        return str(self.args[0])


def known_errors() -> tuple[type[BaseException], ...]:
    """The error roots of the libraries we call: environment faults with messages written for the person.

    ``client_api`` is imported here, not at module load, so the app starts even when the keyring or network
    stack is unusable on this machine.
    """
    from hashing.errors import HashingError

    roots: list[type[BaseException]] = [HashingError, UserFacingError]
    try:
        from client_api.errors import ClientError
    except ImportError:  # not merged yet on this branch; hashing errors are still handled
        pass
    else:
        roots.append(ClientError)
    return tuple(roots)


def describe_error(error: BaseException) -> str:
    """The sentence to show for a failure reported by a job."""
    message = getattr(error, "message", None) or str(error)
    if isinstance(error, (*known_errors(), RuntimeError)):
        return message
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


def _value(state: object) -> str:
    return str(state.value if isinstance(state, enum.Enum) else state)


def status_sentence(state: object, item_count: int) -> str:
    """Plain words for a case's state."""
    if _value(state) == "withdrawn":
        return (
            "This case is withdrawn. Websites and apps have been told to delete its fingerprints and stop "
            "looking for copies. You can start a new case at any time."
        )
    files = "1 photo or video" if item_count == 1 else f"{item_count} photos and videos"
    return (
        f"This case is active. Fingerprints of {files} are shared with the websites and apps that take part, "
        "so they can find and remove copies."
    )


_FEEDBACK_WORDS = {
    "Blocked": "found a match, checked it, and blocked it",
    "Deleted": "found a match and deleted it",
    "PendingReview": "found a possible match and are checking it",
    "NotBlocked": "found a possible match but decided not to block it",
    "Withdrawn": "have removed the fingerprints after the case was withdrawn",
}


def feedback_sentences(feedback: Iterable[tuple[str, int]]) -> list[str]:
    """One sentence per kind of platform feedback; an empty case gets a reassuring sentence instead."""
    sentences = []
    for value, platforms in feedback:
        words = _FEEDBACK_WORDS.get(value)
        if words is None or platforms <= 0:
            continue
        who = "1 website or app" if platforms == 1 else f"{platforms} websites or apps"
        verb_words = words if platforms != 1 else words.replace("have removed", "has removed")
        sentences.append(f"{who} {verb_words}.")
    if not sentences:
        sentences.append(
            "No website or app has reported a match yet. That is normal: they check new uploads against your "
            "fingerprints all the time."
        )
    return sentences
