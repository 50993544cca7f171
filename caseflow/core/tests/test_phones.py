import pytest

from caseflow.core.phones import display, to_e164


@pytest.mark.parametrize(
    "raw",
    [
        "0171 1234567",
        "+49 171 1234567",
        "0049 171 1234567",
        "(0171) 123 45 67",
        "+49 (171) 123-4567",
        "0171/1234567",
    ],
)
def test_german_notations_normalise_to_one_e164(raw):
    assert to_e164(raw) == "+491711234567"


def test_other_region():
    assert to_e164("612 345 678", region="ES") == "+34612345678"
    assert to_e164("+34 612 34 56 78") == "+34612345678"


@pytest.mark.parametrize("raw", ["", "   ", "abc", "12", "+", "0" * 50, None])
def test_impossible_numbers_are_none(raw):
    assert to_e164(raw) is None


def test_display():
    assert display("+491711234567") == "+49 171 1234567"
