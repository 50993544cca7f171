"""Checks and calculations the catalogue's services share (no writes here)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.catalog.models import serial_validator
from caseflow.core.errors import DomainError
from caseflow.customers.models import Customer


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months; the day is clamped to the month's last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clean_serial(raw: str, *, field: str = "serial") -> str:
    """`raw` trimmed, or DomainError when it is not a valid serial number."""
    serial = (raw or "").strip()
    try:
        serial_validator(serial)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field, code="invalid_serial") from exc
    return serial


def today() -> date:
    return timezone.localdate()


def check_choice(value: str, choices: Sequence[str], *, field: str) -> None:
    if value not in choices:
        raise DomainError(
            _("%(value)s is not one of %(choices)s.")
            % {"value": value or '""', "choices": ", ".join(choices)},
            field=field,
        )


def to_decimal(value: Any, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("%(value)s is not a number.") % {"value": value}, field=field) from exc
    if not number.is_finite():
        raise DomainError(_("%(value)s is not a number.") % {"value": value}, field=field)
    return number


def check_live_customer(customer: Customer, *, field: str) -> None:
    if customer.archived_at is not None:
        raise DomainError(
            _("Customer %(number)s is archived; restore it first.") % {"number": customer.number},
            field=field,
            code="archived",
        )


def check_dealer(dealer: Customer | None, *, field: str = "dealer_id") -> None:
    if dealer is None:
        return
    if not dealer.is_dealer:
        raise DomainError(
            _("%(customer)s is not a dealer.") % {"customer": dealer},
            field=field,
            code="not_a_dealer",
        )
    check_live_customer(dealer, field=field)
