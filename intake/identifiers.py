"""Case numbers (made here, with a Luhn mod 30 check character) and case keys (made on the person's device).

Both are read over the phone or copied by hand, so input ignores hyphens, spaces and letter case, and the
case-number alphabet leaves out characters people confuse (0/O, 1/I/L, U).
"""

from __future__ import annotations

import secrets

__all__ = [
    "CASE_KEY_ALPHABET",
    "CASE_KEY_LENGTH",
    "CASE_NUMBER_ALPHABET",
    "CASE_NUMBER_LENGTH",
    "check_character",
    "format_case_number",
    "is_weak_case_key",
    "new_case_number",
    "normalise_case_key",
    "normalise_case_number",
]

CASE_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CASE_NUMBER_LENGTH = 10  # 9 random characters and 1 check character
CASE_KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CASE_KEY_LENGTH = 26  # 130 bits

_NUMBER_INDEX = {ch: i for i, ch in enumerate(CASE_NUMBER_ALPHABET)}
_KEY_CHARS = frozenset(CASE_KEY_ALPHABET)
# Crockford's decoding rule: letters people write for digits mean those digits.
_KEY_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# What people (and word processors) put between groups: hyphens, spaces, tabs, no-break spaces and Unicode
# dashes. The same set as client_api/keys.py; tests/client_api/test_protocol_facts.py keeps them equal.
_SEPARATORS = str.maketrans("", "", "- \t\u00a0\u2010\u2011\u2012\u2013\u2014")


def check_character(payload: str) -> str:
    """The Luhn mod 30 check character for ``payload`` (characters of the case-number alphabet).

    Raises:
        ValueError: ``payload`` has a character outside the alphabet.
    """
    n = len(CASE_NUMBER_ALPHABET)
    factor, total = 2, 0
    for ch in reversed(payload):
        try:
            addend = _NUMBER_INDEX[ch] * factor
        except KeyError:
            raise ValueError(f"{ch!r} is not in the case-number alphabet") from None
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return CASE_NUMBER_ALPHABET[(n - total % n) % n]


def new_case_number() -> str:
    """A fresh random case number in its compact form (10 characters, no hyphens)."""
    payload = "".join(secrets.choice(CASE_NUMBER_ALPHABET) for _ in range(CASE_NUMBER_LENGTH - 1))
    return payload + check_character(payload)


def normalise_case_number(text: str) -> str | None:
    """The compact form of a typed case number, or None when it cannot be one (wrong length, character, check)."""
    compact = text.translate(_SEPARATORS).upper()
    if len(compact) != CASE_NUMBER_LENGTH or any(ch not in _NUMBER_INDEX for ch in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return compact


def format_case_number(compact: str) -> str:
    """``ABCDEFGH23`` → ``ABC-DEF-GH23``, the form shown to people (groups of 3, 3 and 4, joined by hyphens)."""
    return f"{compact[:3]}-{compact[3:6]}-{compact[6:]}"


def normalise_case_key(text: str) -> str | None:
    """The canonical form of a typed case key, or None when it cannot be one."""
    compact = text.translate(_SEPARATORS).upper().translate(_KEY_ALIASES)
    if len(compact) != CASE_KEY_LENGTH or not _KEY_CHARS.issuperset(compact):
        return None
    return compact


#: A random key of 26 characters from 32 has about 17.5 different characters and 17.5 different steps between
#: neighbours; fewer than 8 of either happens by chance about once in 10**10 keys, and catches every key a person
#: or a broken generator makes by hand: one character, repeated blocks, the alphabet in order, forwards or back.
_MIN_DISTINCT = 8


def is_weak_case_key(compact: str) -> bool:
    """Whether a normalised case key is obviously not random (so it cannot stand for 130 random bits)."""
    indices = [CASE_KEY_ALPHABET.index(ch) for ch in compact]
    steps = {(b - a) % len(CASE_KEY_ALPHABET) for a, b in zip(indices, indices[1:])}
    return len(set(indices)) < _MIN_DISTINCT or len(steps) < _MIN_DISTINCT
