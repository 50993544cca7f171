"""Order and serial numbers a customer wrote: candidates by pattern (settings), then one
indexed IN query each, so a long message costs two queries, not one per word."""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models.functions import Upper

from caseflow.catalog.models import SalesOrder, Unit
from caseflow.catalog.selectors import serial_key

MAX_CANDIDATES = 200
SCAN_CHARS = 20000  # order and serial numbers are near the top, not in quoted history


@lru_cache(maxsize=8)
def _compiled(name: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ImproperlyConfigured(f"{name} is not a regular expression: {exc}") from None


def _candidates(setting: str, text: str) -> list[str]:
    pattern = _compiled(setting, getattr(settings, setting))
    found: dict[str, None] = {}
    for match in pattern.finditer(text[:SCAN_CHARS]):
        found.setdefault(match.group(0), None)
        if len(found) >= MAX_CANDIDATES:
            break
    return list(found)


def order_in(text: str) -> SalesOrder | None:
    """The first sales order whose number appears in `text` (MAIL_ORDER_PATTERN)."""
    numbers = [n.upper() for n in _candidates("MAIL_ORDER_PATTERN", text)]
    if not numbers:
        return None
    orders = SalesOrder.objects.filter(number__in=numbers).select_related("customer")
    found = {o.number: o for o in orders}
    return next((found[n] for n in numbers if n in found), None)


def unit_in(text: str) -> Unit | None:
    """The first live unit whose serial number appears in `text` (MAIL_SERIAL_PATTERN); a
    serial that several products share is ambiguous and links nothing."""
    tokens = _candidates("MAIL_SERIAL_PATTERN", text)
    if not tokens:
        return None
    wanted = list(dict.fromkeys(serial_key(t) for t in tokens))
    units: dict[str, list[Unit]] = {}
    live = Unit.objects.filter(archived_at__isnull=True).alias(serial_upper=Upper("serial"))
    for unit in live.filter(serial_upper__in=wanted).select_related("product"):
        units.setdefault(serial_key(unit.serial), []).append(unit)
    for serial in wanted:
        if len(units.get(serial, ())) == 1:
            return units[serial][0]
    return None
