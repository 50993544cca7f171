"""Money at its edges: half-up rounding to the cent and the tax on awkward amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseflow.core.money import cents, tax_on


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("12.34", "12.34"),  # exact amounts stay
        ("0.004999", "0.00"),
        ("0.015", "0.02"),  # half to even would say 0.02 too; 0.025 tells them apart
        ("0.025", "0.03"),
        ("-2.675", "-2.68"),
        ("1E+3", "1000.00"),
    ],
)
def test_cents_rounds_half_up_away_from_zero(amount, expected):
    result = cents(Decimal(amount))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2  # always two places, as the invoice prints it


@pytest.mark.parametrize(
    ("net", "rate", "tax"),
    [
        ("0.50", "1", "0.01"),  # 0.005: the half cent rounds up
        ("0.49", "1", "0.00"),  # 0.0049
        ("10.00", "7.7", "0.77"),  # a rate with a decimal place (Swiss VAT)
        ("99.99", "19", "19.00"),  # 18.9981
        ("-10.05", "19", "-1.91"),  # a credit: -1.9095
        ("123.45", "0", "0.00"),
    ],
)
def test_tax_on_awkward_amounts(net, rate, tax):
    assert tax_on(Decimal(net), Decimal(rate)) == Decimal(tax)
