"""Case keys made on the device, and case numbers read back from what a person typed."""

import itertools
import re

import pytest

from client_api import InvalidCaseKey, InvalidCaseNumber, format_case_key, new_case_key, normalise_case_key
from client_api import normalise_case_number
from client_api.keys import CASE_NUMBER_ALPHABET, case_number_check_character

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _number(body: str) -> str:
    return body + case_number_check_character(body)


def test_new_case_keys_are_26_crockford_characters_and_never_repeat():
    keys = {new_case_key() for _ in range(2000)}
    assert len(keys) == 2000
    assert all(re.fullmatch(f"[{CROCKFORD}]{{26}}", key) for key in keys)


def test_new_case_keys_use_all_130_bits():
    # 26 characters x 5 bits = 130 bits: every position must take all 32 values (no fixed or biased prefix).
    keys = [new_case_key() for _ in range(4000)]
    for position in range(26):
        counts = [sum(key[position] == c for key in keys) for c in CROCKFORD]
        assert min(counts) > 60  # about 125 expected each; a missing bit would leave half of them at 0


def test_a_case_key_survives_grouping_case_and_confusable_letters():
    key = new_case_key()
    shown = format_case_key(key)
    assert re.fullmatch(r"\w{5}-\w{5}-\w{5}-\w{5}-\w{6}", shown)
    typed = shown.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_case_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "words"),
    [("", "type your case key"), ("ABCDE-FGHJK", "has 10"), ("ABCDE-FGHJK-MNPQR-STVWX-YZ012U", "contains U"),
     ("ABCDE-FGHJK-MNPQR-STVWX-YZ012!", "contains !")],
)
def test_a_mistyped_case_key_gets_a_kind_specific_message(typed, words):
    with pytest.raises(InvalidCaseKey, match=words):
        normalise_case_key(typed)


def test_case_numbers_are_read_in_any_case_with_or_without_hyphens_and_shown_canonically():
    number = _number("ABC234DEF")
    canonical = f"{number[:3]}-{number[3:6]}-{number[6:]}"
    for typed in (number, number.lower(), canonical, f" {canonical.lower()} ", number[:5] + " " + number[5:]):
        assert normalise_case_number(typed) == canonical


def test_the_check_character_catches_every_single_mistyped_character():
    number = _number("XYZ987MNP")
    for position, wrong in itertools.product(range(10), CASE_NUMBER_ALPHABET):
        if number[position] == wrong:
            continue
        typo = number[:position] + wrong + number[position + 1 :]
        with pytest.raises(InvalidCaseNumber, match="typing mistake"):
            normalise_case_number(typo)


def test_the_check_character_catches_most_swapped_neighbours():
    numbers = [_number(body) for body in ("ABC234DEF", "Z9Y8X7W6V", "2345678AB", "HJKMNPQRS")]
    caught = total = 0
    for number in numbers:
        for i in range(9):
            if number[i] == number[i + 1]:
                continue
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            total += 1
            try:
                normalise_case_number(swapped)
            except InvalidCaseNumber:
                caught += 1
    assert caught / total > 0.9


def test_the_check_character_matches_the_luhn_mod_n_algorithm_worked_by_hand():
    # Luhn mod N from the right: double every second index starting with the last body character, fold
    # each product into base 30 digits, and pick the character that makes the total divisible by 30.
    body = "23456789A"  # indices 0..8
    total = 0
    for position, index in enumerate(reversed(range(9))):
        addend = index * (2 if position % 2 == 0 else 1)
        total += addend // 30 + addend % 30
    assert case_number_check_character(body) == CASE_NUMBER_ALPHABET[(30 - total % 30) % 30]


@pytest.mark.parametrize(
    ("typed", "words"),
    [("", "type your case number"), ("ABC-DEF", "has 6"), ("ABC-DEF-GH1O", "never use 0, 1, I, L, O or U"),
     ("ABC-DEF-GH2?", r"contains \?")],
)
def test_a_malformed_case_number_gets_a_kind_specific_message(typed, words):
    with pytest.raises(InvalidCaseNumber, match=words):
        normalise_case_number(typed)


def test_misuse_is_a_type_error_not_a_message_for_the_person():
    with pytest.raises(TypeError):
        normalise_case_number(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalise_case_key(123)  # type: ignore[arg-type]
