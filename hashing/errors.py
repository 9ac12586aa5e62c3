"""Why a file could not be fingerprinted, in words a frightened person can act on.

Every failure is about one file; the caller reports it next to that file and carries on with the others.
Each class carries a stable machine ``code`` (a ``HashingErrorCode``, used by ``takeback hash --json`` and the
app) and a message that says what happened and what the person can do. Messages never name the file: the caller already shows
which file it is, and messages may end up somewhere the file name must not (a log, a bug report).

    HashingError                 code          (the root itself is never raised: ``error`` is its fallback)
    ├── FileMissing              not_found     the file is gone (moved, deleted, or a broken link)
    ├── NotAFile                 not_a_file    a folder, device or other non-file
    ├── FileUnreadable           unreadable    no permission, or the disk failed while reading
    ├── EmptyFile                empty         zero bytes
    ├── FileChanged              changed       the file shrank or vanished while it was being read
    ├── UnsupportedFormat        unsupported   not a photo or video we can read
    ├── CorruptMedia             corrupt       damaged or incomplete (truncated download, bad header)
    ├── TooLarge                 too_large     more pixels or bytes than we safely decode
    ├── InvalidTmk               invalid_tmk   a .tmk video fingerprint file that is damaged or incompatible
    └── Cancelled                cancelled     the person stopped the work
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Self

__all__ = [
    "Cancelled",
    "CorruptMedia",
    "EmptyFile",
    "FileChanged",
    "FileMissing",
    "FileUnreadable",
    "HashingError",
    "HashingErrorCode",
    "InvalidTmk",
    "NotAFile",
    "TooLarge",
    "UnsupportedFormat",
]


class HashingErrorCode(enum.StrEnum):
    """Every ``code`` a hashing error can carry; the values are what ``--json`` output shows (see the tree above)."""

    ERROR = "error"
    NOT_FOUND = "not_found"
    NOT_A_FILE = "not_a_file"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    CHANGED = "changed"
    UNSUPPORTED = "unsupported"
    CORRUPT = "corrupt"
    TOO_LARGE = "too_large"
    INVALID_TMK = "invalid_tmk"
    CANCELLED = "cancelled"


class HashingError(Exception):
    """A file could not be fingerprinted. Environment faults only: our own bugs are not caught as this."""

    code: HashingErrorCode = HashingErrorCode.ERROR
    default_message = "This file could not be fingerprinted. Your other files are not affected."

    #: A message with fields keeps its English ``template`` and its ``params`` apart, so the app can translate
    #: the template and fill the fields in; ``str(error)`` is the English sentence. ``None`` for a fixed message.
    template: str | None = None
    params: Mapping[str, object] = MappingProxyType({})

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @classmethod
    def from_template(cls, template: str, /, **params: object) -> Self:
        """The error whose message is ``template`` (a whole English sentence) with ``params`` filled in."""
        error = cls()
        error._fill(template, **params)
        return error

    def _fill(self, template: str, /, **params: object) -> None:
        self.template, self.params = template, MappingProxyType(params)
        self.args = (template.format(**params),)

    @property
    def message(self) -> str:
        return str(self.args[0])


class FileMissing(HashingError):
    code = HashingErrorCode.NOT_FOUND
    default_message = (
        "This file could not be found any more. It may have been moved, renamed or deleted. "
        "If you still have it, add it again from where it is now."
    )


class NotAFile(HashingError):
    code = HashingErrorCode.NOT_A_FILE
    default_message = "This is not a photo or video file. Choose a photo or video instead."


class FileUnreadable(HashingError):
    code = HashingErrorCode.UNREADABLE
    default_message = (
        "This file could not be opened. It may belong to another user or be on a disk that "
        "was disconnected. Copy it somewhere you can open it, then add it again."
    )


class EmptyFile(HashingError):
    code = HashingErrorCode.EMPTY
    default_message = (
        "This file is empty, so there is nothing to fingerprint. If it came from a download or a "
        "message, save it again and add the new copy."
    )


class FileChanged(HashingError):
    code = HashingErrorCode.CHANGED
    default_message = (
        "This file changed while it was being read, so its fingerprint would not be reliable. It may still "
        "be downloading or copying. Wait until that has finished, then add it again."
    )


class UnsupportedFormat(HashingError):
    code = HashingErrorCode.UNSUPPORTED
    default_message = (
        "This is not a kind of photo or video Takeback can read. If you can open it on your "
        "computer, save or export it as JPEG (photos) or MP4 (videos) and add that copy."
    )


class CorruptMedia(HashingError):
    code = HashingErrorCode.CORRUPT
    default_message = (
        "This file seems damaged or incomplete, so it could not be read. If it came from a download "
        "or a message, save it again and add the new copy."
    )


class TooLarge(HashingError):
    code = HashingErrorCode.TOO_LARGE
    default_message = (
        "This file is larger than Takeback can safely open. If it is a photo, save a smaller copy "
        "(for example with a phone's share or resize option) and add that."
    )


#: ``reason`` is one of the phrases ``hashing.tmk`` passes (each is in the catalogue, so the app translates it too).
_TMK_REASON_TEMPLATE = (
    "This video fingerprint file (.tmk) cannot be used: {reason}. It may be damaged or made by a "
    "different tool. If you still have the video, add the video itself instead."
)


class InvalidTmk(HashingError):
    """A TMK fingerprint file (``.tmk``) that Takeback cannot use; ``reason`` says what is wrong with it."""

    code = HashingErrorCode.INVALID_TMK
    default_message = (
        "This video fingerprint file (.tmk) cannot be used. It may be damaged or made by a different tool. "
        "If you still have the video, add the video itself instead."
    )

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason
        super().__init__()
        if reason is not None:
            self._fill(_TMK_REASON_TEMPLATE, reason=reason)

    @classmethod
    def from_template(cls, template: str, /, **params: object) -> Self:
        error = super().from_template(template, **params)
        error.reason = error.message
        return error


class Cancelled(HashingError):
    code = HashingErrorCode.CANCELLED
    default_message = "Stopped before this file was finished. Nothing was sent."
