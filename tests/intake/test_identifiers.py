"""Case numbers and case keys as people type them."""

import pytest

from intake.identifiers import (
    CASE_NUMBER_ALPHABET,
    check_character,
    format_case_number,
    new_case_number,
    normalise_case_key,
    normalise_case_number,
)


def test_alphabet_leaves_out_characters_people_confuse() -> None:
    assert len(CASE_NUMBER_ALPHABET) == 30
    assert not set("01OILU") & set(CASE_NUMBER_ALPHABET)


def test_check_character_is_luhn_mod_30() -> None:
    # Worked by hand: payload "23" has indices (0, 1); from the right, 1*2=2, then 0*1=0; sum 2; (30-2)%30=28.
    assert check_character("23") == CASE_NUMBER_ALPHABET[28]
    # Doubling past 30 folds: "Z" is index 29, 29*2=58 -> 1+28=29; (30-29)%30 = 1.
    assert check_character("Z") == CASE_NUMBER_ALPHABET[1]


def test_new_case_numbers_validate_and_differ() -> None:
    numbers = {new_case_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(normalise_case_number(n) == n for n in numbers)


@pytest.mark.parametrize("position", range(10))
def test_any_single_wrong_character_is_caught(position: int) -> None:
    number = new_case_number()
    for replacement in CASE_NUMBER_ALPHABET:
        if replacement != number[position]:
            typo = number[:position] + replacement + number[position + 1 :]
            assert normalise_case_number(typo) is None


def test_adjacent_swaps_are_caught() -> None:
    # Luhn's one blind spot: swapping the first and last characters of the alphabet ("2Z" <-> "Z2").
    blind_spot = {CASE_NUMBER_ALPHABET[0], CASE_NUMBER_ALPHABET[-1]}
    for _ in range(50):
        number = new_case_number()
        for i in range(9):
            if number[i] != number[i + 1] and {number[i], number[i + 1]} != blind_spot:
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
                assert normalise_case_number(swapped) is None


def test_typed_case_numbers_ignore_hyphens_spaces_and_case() -> None:
    number = new_case_number()
    shown = format_case_number(number)
    assert shown.count("-") == 2 and len(shown) == 12
    assert normalise_case_number(shown.lower()) == number
    assert normalise_case_number(" " + shown.replace("-", " ") + " ") == number
    assert normalise_case_number(number[:-1]) is None
    assert normalise_case_number(number + "2") is None
    assert normalise_case_number("0" * 10) is None


def test_case_keys_accept_crockford_aliases() -> None:
    key = "0123456789ABCDEFGHJKMNPQRS"
    assert normalise_case_key(key) == key
    assert normalise_case_key("O123456789ABCDEFGHJKMNPQRS") == key
    assert normalise_case_key("0I23456789abcdefghjkmnpqrs") == key
    assert normalise_case_key("01234-56789-ABCDE-FGHJK-MNPQRS") == key
    assert normalise_case_key(key[:-1]) is None
    assert normalise_case_key(key[:-1] + "U") is None
