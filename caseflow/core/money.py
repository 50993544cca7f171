"""Money: amounts in `Decimal`, rounded to the cent half up ("kaufmännisch runden"), as
invoices and the EN 16931 VAT breakdown round — never half to even, Python's default, which
turns 0.125 into 0.12."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded to the cent, half up (0.005 → 0.01, -0.005 → -0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def tax_on(net: Decimal, rate_percent: Decimal) -> Decimal:
    """The tax on a net amount at `rate_percent` (19 for 19 %), rounded to the cent."""
    return cents(net * rate_percent / HUNDRED)
