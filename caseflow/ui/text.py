"""How the screens print times and durations, cheaply enough for 50 rows a page.

`short_datetime()` prints what the `date` filter prints with SHORT_DATETIME_FORMAT, with the
time zone and the format looked up once per page instead of once per value (Django's
`dateformat` interprets the pattern anew for every value); `duration_text` prints a call's
length as people read it; `money` prints an amount with its currency as the active language
writes it (Babel: `1.234,50 €` in German, `1234,50 €` in Spanish, `€1,234.50` in English).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from django.conf import settings
from django.utils import dateformat, formats, timezone, translation


def duration_text(seconds: int | None) -> str:
    """A call's length as people read it: "4:05", "1:02:03"; "" when unknown."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


# Django format characters a list or timeline prints 50 times a page, as `str.format` fields
# of the datetime.
_FAST_FIELDS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year}",
    "y": "{1:02d}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_PLAIN = frozenset(" ./-:,")


@functools.lru_cache(maxsize=32)
def _compiled(pattern: str) -> str | None:
    """`pattern` as a `str.format` template, or None when it uses anything else (month names,
    a.m./p.m., escapes): those stay with Django's `dateformat`."""
    parts = []
    for char in pattern:
        if char in _FAST_FIELDS:
            parts.append(_FAST_FIELDS[char])
        elif char in _PLAIN:
            parts.append(char)
        else:
            return None
    return "".join(parts)


def short_datetime() -> Callable[[Any], str]:
    """A datetime in the active time zone and language's short format (`SHORT_DATETIME_FORMAT`,
    as the `date` filter prints it), with the zone and format looked up once."""
    zone = timezone.get_current_timezone()
    pattern = formats.get_format("SHORT_DATETIME_FORMAT")
    template = _compiled(pattern)
    if template is None:
        return lambda moment: dateformat.format(moment.astimezone(zone), pattern)

    def fast(moment: Any) -> str:
        local = moment.astimezone(zone)
        return template.format(local, local.year % 100)

    return fast


# Languages that group digits only from five digits on (CLDR's minimumGroupingDigits, which
# Babel does not apply): Spanish writes 1234,50 € but 12.345,50 €.
_MIN_GROUPING_DIGITS = {"es": 2}


def money(amount: Decimal | int | str | None, currency: str = "") -> str:
    """`amount` in `currency` (default: DEFAULT_CURRENCY) as the active language writes it:
    `1.234,50 €` (de), `1234,50 €` (es), `€1,234.50` (en); "" for None."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    grouping = abs(value) >= 10 ** (3 + _MIN_GROUPING_DIGITS.get(language, 1) - 1)
    return format_currency(
        value, currency or settings.DEFAULT_CURRENCY, locale=language, group_separator=grouping
    )
