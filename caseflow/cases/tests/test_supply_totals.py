"""Supply totals as an invoice computes them (billing builds on these numbers), and the
guards of the supply and assignment services that no other test would miss."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from caseflow.accounts.models import Team
from caseflow.cases import selectors, services
from caseflow.cases.models import SupplyLine
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.money import cents, tax_on

UI = Channel.UI


def line(quantity: str, price: str, rate: str, currency: str = "EUR", removed=False):
    """An unsaved supply line: the totals read only its amounts."""
    return SupplyLine(
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        tax_rate=Decimal(rate),
        currency=currency,
        removed_at="2026-01-01T00:00:00Z" if removed else None,
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("0.125", "0.13"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),
        ("1.004", "1.00"),
    ],
)
def test_cents_round_half_up(amount, expected):
    assert cents(Decimal(amount)) == Decimal(expected)


def test_a_line_net_rounds_half_up():
    assert line("3", "0.335", "19").net_amount == Decimal("1.01")  # 1.005
    assert line("0.5", "0.25", "19").net_amount == Decimal("0.13")  # 0.125, not 0.12


def test_one_line_at_19_percent():
    (total,) = selectors.supply_totals([line("2", "39.90", "19")])
    assert (total.net, total.tax, total.gross) == (
        Decimal("79.80"),
        Decimal("15.16"),
        Decimal("94.96"),
    )


def test_tax_is_computed_per_rate_on_the_sum_not_summed_per_line():
    # 7 lines of 0.03 at 19 %: each line's tax 0.0057 rounds to 0.01 (0.07 summed), the tax on the
    # rate's sum 0.21 is 0.0399 → 0.04, as the invoice's VAT breakdown says.
    lines = [line("1", "0.03", "19") for _ in range(7)]
    (total,) = selectors.supply_totals(lines)
    assert (total.net, total.tax, total.gross) == (
        Decimal("0.21"),
        Decimal("0.04"),
        Decimal("0.25"),
    )
    assert total.tax == tax_on(total.net, Decimal("19"))


def test_several_rates_and_currencies_are_kept_apart():
    lines = [
        line("1", "100.00", "19"),
        line("3", "33.33", "7"),
        line("1", "10.00", "19", currency="CHF"),
        line("1.5", "80.00", "0"),
        line("1", "999.99", "19", removed=True),
    ]
    eur, chf = selectors.supply_totals(lines)
    assert eur.currency == "EUR" and chf.currency == "CHF"
    assert [(t.rate, t.net, t.tax) for t in eur.by_rate] == [
        (Decimal("0"), Decimal("120.00"), Decimal("0.00")),
        (Decimal("7"), Decimal("99.99"), Decimal("7.00")),  # 6.9993
        (Decimal("19"), Decimal("100.00"), Decimal("19.00")),
    ]
    assert (eur.net, eur.tax, eur.gross) == (
        Decimal("319.99"),
        Decimal("26.00"),
        Decimal("345.99"),
    )
    assert (chf.net, chf.tax, chf.gross) == (Decimal("10.00"), Decimal("1.90"), Decimal("11.90"))


def test_many_lines_sum_exactly():
    lines = [line("0.33", "3.03", "19") for _ in range(1000)]  # 0.9999 → 1.00 each
    (total,) = selectors.supply_totals(lines)
    assert total.net == Decimal("1000.00")
    assert total.tax == Decimal("190.00")
    assert total.gross == Decimal("1190.00")


def test_no_lines_no_totals():
    assert selectors.supply_totals([]) == []
    assert selectors.supply_totals([line("1", "5", "19", removed=True)]) == []


# --- guards -----------------------------------------------------------------------------


def test_a_line_of_another_case_cannot_be_removed(open_case, agent, spare_part):
    case, other = open_case(), open_case(subject="Other")
    theirs = services.add_supply(
        actor=agent, channel=UI, case=other, product=spare_part, quantity=Decimal(1)
    )
    with pytest.raises(DomainError) as exc:
        services.remove_supply(actor=agent, channel=UI, case=case, line=theirs)
    assert exc.value.field == "line_id"
    theirs.refresh_from_db()
    assert theirs.removed_at is None


def test_a_case_cannot_be_assigned_to_an_archived_team(open_case, agent):
    case = open_case()
    team = Team.objects.create(name="Old bench", archived_at=timezone.now())
    version = case.version
    with pytest.raises(DomainError) as exc:
        services.assign_case(actor=agent, channel=UI, case=case, owner=agent, team=team)
    assert exc.value.field == "team_id"
    case.refresh_from_db()
    assert (case.team_id, case.version) == (None, version)
