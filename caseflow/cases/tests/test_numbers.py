"""One case-number format: what `cases` hands out is what it recognises, and nothing shorter
or longer (the desk, the mail and SMS intake ask this module: desk/tests/test_case_numbers.py)."""

import pytest
from django.db import transaction

from caseflow.cases.numbers import (
    CASE_NUMBER,
    CASE_TAG,
    NUMBER_IN_TEXT,
    looks_like_case_number,
    next_case_number,
)


@pytest.mark.django_db
def test_the_numbers_handed_out_are_the_numbers_recognised():
    with transaction.atomic():
        first, second = next_case_number(), next_case_number()

    assert first.startswith("C-") and first.endswith("-000001")
    assert second.endswith("-000002")
    for number in (first, second):
        assert looks_like_case_number(number)
        assert CASE_TAG.findall(f"Re: Your request [{number}]") == [number]
        assert NUMBER_IN_TEXT.findall(f"about {number.lower()}, thanks") == [number.lower()]


@pytest.mark.parametrize(
    "text",
    ["C-2026-000123", "c-2026-000123", " C-2026-000123 ", "C-2026-1234567", "C-2026-0000000001"],
)
def test_a_case_number_grows_past_six_digits_and_is_read_in_any_case(text):
    assert looks_like_case_number(text)


@pytest.mark.parametrize(
    "text",
    ["C-2026-12345", "C-26-000123", "C-2026-00000000001", "CU-000123", "X-2026-000123", ""],
)
def test_what_is_not_a_case_number(text):
    assert not looks_like_case_number(text)
    assert not CASE_NUMBER.match(text)


def test_the_subject_tag_and_the_number_in_a_text_use_the_same_digits():
    assert CASE_TAG.findall("[C-2026-000123] [C-2026-12345] [C-2026-0001234567]") == [
        "C-2026-000123",
        "C-2026-0001234567",
    ]
    assert NUMBER_IN_TEXT.findall("C-2026-000123, XC-2026-000124 or C-2026-12345") == [
        "C-2026-000123"
    ]
