"""Case keys and case numbers: making keys on this device, and reading both back from what a person typed.

The case key is a 130-bit secret from ``secrets``, written in Crockford base32 so it survives being read over
the phone (no I, L, O, U; 0/O and 1/I/L are read as the same). Case numbers are made by the service; their last
character is a Luhn mod 30 check over the alphabet below, which catches every single mistyped character and
most swapped neighbours before anything is sent (protocol.md, "Case numbers and keys").
"""

from __future__ import annotations

import secrets

from .errors import InvalidCaseKey, InvalidCaseNumber

__all__ = [
    "CASE_KEY_LENGTH",
    "CASE_NUMBER_ALPHABET",
    "CASE_NUMBER_LENGTH",
    "case_number_check_character",
    "format_case_key",
    "new_case_key",
    "normalise_case_key",
    "normalise_case_number",
]

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CASE_KEY_BITS = 130
CASE_KEY_LENGTH = 26  # 26 characters x 5 bits = 130 bits
CASE_KEY_GROUPS = (5, 5, 5, 5, 6)

CASE_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U
CASE_NUMBER_LENGTH = 10
CASE_NUMBER_GROUPS = (3, 3, 4)

# Crockford's decoding rule: the letters people confuse with digits read as those digits.
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# The same set as intake/identifiers.py; tests/client_api/test_protocol_facts.py keeps them equal.
_SEPARATORS = str.maketrans("", "", "- \t\u00a0\u2010\u2011\u2012\u2013\u2014")


def new_case_key() -> str:
    """A fresh case key: 130 random bits from the OS's secure generator, as 26 Crockford base32 characters.

    Made on the person's device so the service never chooses (or has to send) the secret.
    """
    value = secrets.randbits(CASE_KEY_BITS)
    chars = []
    for _ in range(CASE_KEY_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD_ALPHABET[digit])
    return "".join(reversed(chars))


def _grouped(text: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(text[start : start + size])
        start += size
    return "-".join(parts)


# Whole sentences with fields; ``{shown}`` is the wrong characters, or the phrase below when they cannot be shown.
_KEY_CHARACTER_TEMPLATE = (
    "A case key has only letters and digits, but this one contains {shown}. Check it and type it again."
)
_KEY_LENGTH_TEMPLATE = (
    "A case key has {expected} letters and digits, but this one has {found}. Check it and type it again."
)
_NUMBER_CHARACTER_TEMPLATE = (
    "This case number contains {shown}, which case numbers do not have. Check it and type it again."
)
_NUMBER_LOOKALIKE_TEMPLATE = (
    "This case number contains {shown}, which case numbers do not have. Case numbers never use 0, 1, I, L, O "
    "or U, so one of these may be a different character. Check it and type it again."
)
_NUMBER_LENGTH_TEMPLATE = (
    "A case number has {expected} letters and digits, but this one has {found}. Check it and type it again."
)
_SOME_SYMBOLS_MESSAGE = "some symbols"


def _shown(bad: list[str]) -> str:
    return " ".join(bad) if all(c.isprintable() for c in bad) else _SOME_SYMBOLS_MESSAGE


def normalise_case_key(text: str) -> str:
    """The 26-character key from what a person typed: hyphens, spaces and case are ignored.

    Raises:
        InvalidCaseKey: wrong length or a character that is not in the key's alphabet.
    """
    if not isinstance(text, str):
        raise TypeError(f"a case key is a str, got {type(text).__name__}")
    cleaned = text.translate(_SEPARATORS).upper().translate(_CROCKFORD_ALIASES)
    if not cleaned:
        raise InvalidCaseKey("Please type your case key. It has 26 letters and digits.")
    bad = sorted({c for c in cleaned if c not in CROCKFORD_ALPHABET})
    if bad:
        raise InvalidCaseKey.from_template(_KEY_CHARACTER_TEMPLATE, shown=_shown(bad))
    if len(cleaned) != CASE_KEY_LENGTH:
        raise InvalidCaseKey.from_template(_KEY_LENGTH_TEMPLATE, expected=CASE_KEY_LENGTH, found=len(cleaned))
    return cleaned


def format_case_key(key: str) -> str:
    """The key grouped for reading aloud, e.g. ``ABCDE-FGHJK-MNPQR-STVWX-YZ0123``."""
    return _grouped(normalise_case_key(key), CASE_KEY_GROUPS)


def _luhn_sum(indices: list[int], start_factor: int) -> int:
    base = len(CASE_NUMBER_ALPHABET)
    total, factor = 0, start_factor
    for index in reversed(indices):
        addend = factor * index
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return total


def case_number_check_character(body: str) -> str:
    """The Luhn mod 30 check character for the first 9 characters of a case number."""
    if len(body) != CASE_NUMBER_LENGTH - 1 or any(c not in CASE_NUMBER_ALPHABET for c in body):
        raise ValueError(f"a case number body is {CASE_NUMBER_LENGTH - 1} characters of {CASE_NUMBER_ALPHABET}")
    base = len(CASE_NUMBER_ALPHABET)
    total = _luhn_sum([CASE_NUMBER_ALPHABET.index(c) for c in body], start_factor=2)
    return CASE_NUMBER_ALPHABET[(base - total % base) % base]


def normalise_case_number(text: str) -> str:
    """The case number in its one canonical form, ``XXX-XXX-XXXX``, from what a person typed.

    Hyphens, spaces and case are ignored. The check character is verified here so a typing mistake is
    caught on the device, with a message that says so, instead of a "not found" from the service.

    Raises:
        InvalidCaseNumber: wrong length, a character a case number never has, or a failed check character.
    """
    if not isinstance(text, str):
        raise TypeError(f"a case number is a str, got {type(text).__name__}")
    cleaned = text.translate(_SEPARATORS).upper()
    if not cleaned:
        raise InvalidCaseNumber("Please type your case number. It has 10 letters and digits, like ABC-DEF-GH23.")
    bad = sorted({c for c in cleaned if c not in CASE_NUMBER_ALPHABET})
    if bad:
        template = _NUMBER_LOOKALIKE_TEMPLATE if set(bad) & set("01ILOU") else _NUMBER_CHARACTER_TEMPLATE
        raise InvalidCaseNumber.from_template(template, shown=_shown(bad))
    if len(cleaned) != CASE_NUMBER_LENGTH:
        raise InvalidCaseNumber.from_template(_NUMBER_LENGTH_TEMPLATE, expected=CASE_NUMBER_LENGTH,
                                              found=len(cleaned))
    if _luhn_sum([CASE_NUMBER_ALPHABET.index(c) for c in cleaned], start_factor=1) % len(CASE_NUMBER_ALPHABET):
        raise InvalidCaseNumber(
            "This case number has a typing mistake: its letters and digits do not add up. "
            "Check each character and type it again."
        )
    return _grouped(cleaned, CASE_NUMBER_GROUPS)
