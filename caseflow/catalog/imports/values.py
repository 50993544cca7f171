"""Parsing the values of a row, looking up what they name, and the plan's steps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.catalog.imports.reading import Row, RowError
from caseflow.catalog.models import Product
from caseflow.core.errors import DomainError
from caseflow.customers.models import Customer

CHUNK = 500


class BadValue(ValueError):
    pass


_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TRUE = {"1", "true", "yes", "y", "ja", "j", "si", "sí", "x"}
_FALSE = {"0", "false", "no", "n", "nein", ""}


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD.MM.YYYY."""
    iso, german = _DATE_ISO.match(text), _DATE_DE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if german:
            return date(int(german[3]), int(german[2]), int(german[1]))
    except ValueError:
        pass
    raise BadValue(_("%(v)s is not a date (YYYY-MM-DD or DD.MM.YYYY)") % {"v": text or '""'})


def parse_decimal(text: str) -> Decimal:
    """1234.5, 1234,5, 1.234,50 or 1,234.50."""
    value = text.replace(" ", "").replace("\u00a0", "")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise BadValue(_("%(v)s is not a number") % {"v": text or '""'})
    return number


def parse_int(text: str) -> int:
    if not re.fullmatch(r"\d{1,4}", text):
        raise BadValue(_("%(v)s is not a whole number") % {"v": text or '""'})
    return int(text)


def parse_bool(text: str) -> bool:
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue(_("%(v)s is not yes or no") % {"v": text})


def split_serials(text: str) -> list[str]:
    return [s for s in re.split(r"[\s|]+", text) if s]


class RowParser:
    """Collects the problems of one row while its values are parsed."""

    def __init__(self, row: Row, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors
        self.ok = True

    def fail(self, name: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.row.line, name, message))

    def value(self, name: str, parse: Callable[[str], Any] | None = None, default: Any = None):
        text = self.row.get(name)
        if not text:
            if default is None and name in self.required:
                self.fail(name, _("required"))
            return default
        if parse is None:
            return text
        try:
            return parse(text)
        except BadValue as exc:
            self.fail(name, str(exc))
        except DomainError as exc:
            self.fail(name, exc.message)
        return default

    required: tuple[str, ...] = ()


def chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def products_by_sku(rows: list[Row]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in chunks(r.get("sku") for r in rows if r.get("sku")):
        found.update({p.sku: p for p in Product.objects.filter(sku__in=chunk)})
    return found


def customers_by_number(rows: list[Row], *columns: str) -> dict[str, Customer]:
    numbers = (r.get(c).upper() for r in rows for c in columns if r.get(c))
    found: dict[str, Customer] = {}
    for chunk in chunks(numbers):
        found.update({c.number: c for c in Customer.objects.filter(number__in=chunk)})
    return found


def product_of(found: dict[str, Product]) -> Callable[[str], Product]:
    def parse(text: str) -> Product:
        if text not in found:
            raise BadValue(_("unknown article number %(v)s") % {"v": text})
        return found[text]

    return parse


def customer_of(found: dict[str, Customer]) -> Callable[[str], Customer]:
    def parse(text: str) -> Customer:
        if text.upper() not in found:
            raise BadValue(_("unknown customer number %(v)s") % {"v": text})
        return found[text.upper()]

    return parse


def not_future(name: str) -> Callable[[str], date]:
    def parse(text: str) -> date:
        day = parse_date(text)
        if day > timezone.localdate():
            raise BadValue(_("%(v)s lies in the future") % {"v": text})
        return day

    return parse


def dealer_of(found: dict[str, Customer]) -> Callable[[str], Customer]:
    lookup = customer_of(found)

    def parse(text: str) -> Customer:
        dealer = lookup(text)
        if not dealer.is_dealer:
            raise BadValue(_("%(v)s is not a dealer") % {"v": text})
        return dealer

    return parse


@dataclass
class Step:
    """One service call; `lines` maps a problem back to the file."""

    lines: list[int]
    call: Callable[..., Any]
    kwargs: dict[str, Any]
    field_map: dict[str, str] = field(default_factory=dict)
