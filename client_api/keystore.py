"""Remembering case numbers and keys in the OS keyring, only when the person asks for it.

Off by default: nothing in Takeback calls these functions unless the person chose "remember this case" (on a
shared or watched computer, a remembered case is a trace). Each case is one keyring entry, service ``takeback``,
user name = the case number, password = the key, so the person can also find and delete it with their system's
own password manager. A small index entry lists the remembered case numbers, because keyrings cannot list.
"""

from __future__ import annotations

import keyring
import keyring.errors

from .errors import InvalidCaseKey, InvalidCaseNumber, KeystoreUnavailable
from .keys import normalise_case_number
from .models import CaseCredentials

__all__ = ["KEYRING_SERVICE", "forget", "recall", "remember"]

KEYRING_SERVICE = "takeback"
_INDEX = "remembered-cases"  # not a valid case number, so it cannot clash with one


def _read_index() -> list[str]:
    text = keyring.get_password(KEYRING_SERVICE, _INDEX) or ""
    return [number for number in text.split(",") if number]


def _write_index(numbers: list[str]) -> None:
    if numbers:
        keyring.set_password(KEYRING_SERVICE, _INDEX, ",".join(numbers))
    else:
        try:
            keyring.delete_password(KEYRING_SERVICE, _INDEX)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone


def remember(credentials: CaseCredentials) -> None:
    """Store this case's number and key in the OS keyring, replacing an older key for the same number.

    Raises:
        KeystoreUnavailable: there is no usable keyring, or it is locked and was not unlocked.
    """
    if not isinstance(credentials, CaseCredentials):
        raise TypeError(f"credentials is a CaseCredentials, got {type(credentials).__name__}")
    try:
        keyring.set_password(KEYRING_SERVICE, credentials.case_number, credentials.case_key)
        numbers = _read_index()
        if credentials.case_number not in numbers:
            _write_index([*numbers, credentials.case_number])
    except keyring.errors.KeyringError as exc:
        raise KeystoreUnavailable() from exc


def recall() -> list[CaseCredentials]:
    """Every remembered case, oldest first. Entries deleted or damaged outside Takeback are skipped.

    Raises:
        KeystoreUnavailable: there is no usable keyring, or it is locked and was not unlocked.
    """
    found = []
    try:
        for number in _read_index():
            key = keyring.get_password(KEYRING_SERVICE, number)
            if key is None:
                continue
            try:
                found.append(CaseCredentials(number, key))
            except (InvalidCaseNumber, InvalidCaseKey):
                continue  # edited by hand in the system's password manager; not ours to guess at
    except keyring.errors.KeyringError as exc:
        raise KeystoreUnavailable(
            "Takeback could not read this computer's password store (keyring). "
            "If you wrote your case number and key down, use them instead."
        ) from exc
    return found


def forget(case_number: str) -> None:
    """Remove a remembered case from the keyring. Forgetting a case that is not remembered does nothing.

    This only removes it from this computer; the case itself stays open (withdraw it to close it).

    Raises:
        InvalidCaseNumber: ``case_number`` is not a case number.
        KeystoreUnavailable: there is no usable keyring, or it is locked and was not unlocked.
    """
    number = normalise_case_number(case_number)
    try:
        try:
            keyring.delete_password(KEYRING_SERVICE, number)
        except keyring.errors.PasswordDeleteError:
            pass  # not remembered, or removed outside Takeback
        numbers = _read_index()
        if number in numbers:
            _write_index([n for n in numbers if n != number])
    except keyring.errors.KeyringError as exc:
        raise KeystoreUnavailable(
            "Takeback could not change this computer's password store (keyring), so the case is still "
            "remembered there. You can remove it with your system's password manager."
        ) from exc
