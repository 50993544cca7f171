"""CSV imports of products, units, registrations and sales orders (see docs/imports.md).

All or nothing: every row is parsed and checked, then the rows are written through the
services in one transaction. Any problem, in any row, rolls the whole file back and is
reported as "line N: column: reason" (N counts physical lines; the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.roles import require
from caseflow.catalog import services
from caseflow.catalog.models import (
    Product,
    ProductKind,
    ProductType,
    RegistrationChannel,
    SalesOrder,
    Unit,
)
from caseflow.core.errors import DomainError
from caseflow.customers.models import Customer

MAX_REPORTED = 1000
CHUNK = 500


@dataclass(frozen=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Columns] = {
    "products": Columns(
        required=("sku", "name", "kind"),
        optional=(
            "product_type",
            "is_serialised",
            "warranty_months",
            "price",
            "cost",
            "tax_rate",
            "currency",
        ),
    ),
    "units": Columns(required=("sku", "serial"), optional=("manufactured_on", "notes")),
    "registrations": Columns(
        required=("sku", "serial", "customer_number", "purchased_on"),
        optional=("registered_on", "dealer_number", "channel"),
    ),
    "orders": Columns(
        required=("order_number", "customer_number", "ordered_on", "sku", "quantity"),
        optional=("unit_price", "serials", "dealer_number"),
    ),
}


@dataclass(frozen=True)
class RowError:
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line else _("file")
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class ImportInvalid(DomainError):
    """The file cannot be imported; `errors` says where and why. Nothing was written."""

    code = "import_invalid"

    def __init__(self, message: Any, *, errors: list[RowError], code: str | None = None) -> None:
        shown = errors[:MAX_REPORTED]
        super().__init__(message, code=code, errors=[e.as_dict() for e in shown])
        self.errors = errors

    def lines(self) -> list[str]:
        out = [str(error) for error in self.errors[:MAX_REPORTED]]
        if len(self.errors) > MAX_REPORTED:
            out.append(_("… and %(n)s more") % {"n": len(self.errors) - MAX_REPORTED})
        return out


@dataclass
class ImportResult:
    kind: str
    imported: int
    dry_run: bool
    rows: int


class _Rollback(Exception):
    """Control flow: roll the import back (errors or dry run); never leaves this module."""


# --- reading the file -----------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def decode(data: bytes) -> str:
    """The file's text, or ImportInvalid when it is too large, empty or not UTF-8."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(limit)s bytes; split it.")
            % {"limit": settings.IMPORT_MAX_BYTES},
            errors=[],
            code="import_too_large",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = _(
            "The file is not UTF-8 (byte %(offset)s); save it as CSV UTF-8 and try again."
        ) % {"offset": exc.start}
        raise ImportInvalid(message, errors=[RowError(line, None, message)]) from exc
    if not text.strip():
        message = _("The file is empty.")
        raise ImportInvalid(message, errors=[RowError(None, None, message)])
    return text


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(text: str, columns: Columns) -> tuple[list[Row], list[RowError]]:
    """The data rows (header names trimmed and lower-cased) and the problems found so far."""
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    errors: list[RowError] = []
    rows: list[Row] = []
    header: list[str] | None = None
    try:
        for values in reader:
            if header is None:
                if not any(v.strip() for v in values):
                    continue
                header = [v.strip().lower() for v in values]
                errors.extend(_check_header(header, columns, reader.line_num))
                if errors:
                    return [], errors
                continue
            if not any(v.strip() for v in values):
                continue  # blank lines are fine
            if len(values) > len(header):
                errors.append(
                    RowError(
                        reader.line_num,
                        None,
                        _("%(n)s values, but the header has %(m)s columns.")
                        % {"n": len(values), "m": len(header)},
                    )
                )
                continue
            values = values + [""] * (len(header) - len(values))
            rows.append(Row(reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, None, _("Unreadable CSV: %(e)s") % {"e": exc}))
    if header is not None and not rows and not errors:
        errors.append(RowError(None, None, _("The file has a header but no rows.")))
    return rows, errors


def _check_header(header: list[str], columns: Columns, line: int) -> list[RowError]:
    errors = []
    for name in columns.required:
        if name not in header:
            errors.append(RowError(line, name, _("required column is missing")))
    for name in header:
        if name not in columns.all:
            errors.append(
                RowError(
                    line,
                    name or "?",
                    _("unknown column; the columns are: %(cols)s")
                    % {"cols": ", ".join(columns.all)},
                )
            )
    duplicates = {name for name in header if header.count(name) > 1}
    errors.extend(RowError(line, name, _("column appears twice")) for name in sorted(duplicates))
    return errors


# --- parsing values -------------------------------------------------------------------------


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


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _products(rows: list[Row]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in _chunks(r.get("sku") for r in rows if r.get("sku")):
        found.update({p.sku: p for p in Product.objects.filter(sku__in=chunk)})
    return found


def _customers(rows: list[Row], *columns: str) -> dict[str, Customer]:
    numbers = (r.get(c).upper() for r in rows for c in columns if r.get(c))
    found: dict[str, Customer] = {}
    for chunk in _chunks(numbers):
        found.update({c.number: c for c in Customer.objects.filter(number__in=chunk)})
    return found


def _product(found: dict[str, Product]) -> Callable[[str], Product]:
    def parse(text: str) -> Product:
        if text not in found:
            raise BadValue(_("unknown article number %(v)s") % {"v": text})
        return found[text]

    return parse


def _customer(found: dict[str, Customer]) -> Callable[[str], Customer]:
    def parse(text: str) -> Customer:
        if text.upper() not in found:
            raise BadValue(_("unknown customer number %(v)s") % {"v": text})
        return found[text.upper()]

    return parse


def _not_future(name: str) -> Callable[[str], date]:
    def parse(text: str) -> date:
        day = parse_date(text)
        if day > timezone.localdate():
            raise BadValue(_("%(v)s lies in the future") % {"v": text})
        return day

    return parse


def _dealer(found: dict[str, Customer]) -> Callable[[str], Customer]:
    lookup = _customer(found)

    def parse(text: str) -> Customer:
        dealer = lookup(text)
        if not dealer.is_dealer:
            raise BadValue(_("%(v)s is not a dealer") % {"v": text})
        return dealer

    return parse


# --- one plan per kind ----------------------------------------------------------------------


@dataclass
class Step:
    """One service call; `lines` maps a problem back to the file."""

    lines: list[int]
    call: Callable[..., Any]
    kwargs: dict[str, Any]
    field_map: dict[str, str] = field(default_factory=dict)


def plan_products(rows: list[Row], errors: list[RowError]) -> list[Step]:
    types = {t.code: t for t in ProductType.objects.all()}
    existing: set[str] = set()
    for chunk in _chunks(r.get("sku") for r in rows if r.get("sku")):
        existing.update(Product.objects.filter(sku__in=chunk).values_list("sku", flat=True))
    seen: dict[str, int] = {}
    steps = []

    def product_type(text: str) -> ProductType:
        if text not in types:
            raise BadValue(_("unknown product type %(v)s") % {"v": text})
        return types[text]

    def kind(text: str) -> str:
        if text not in ProductKind.values:
            raise BadValue(
                _("%(v)s is not one of %(c)s") % {"v": text, "c": ", ".join(ProductKind.values)}
            )
        return text

    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["products"].required
        sku = p.value("sku")
        if sku in existing:
            p.fail("sku", _("a product with this article number exists already"))
        elif sku in seen:
            p.fail("sku", _("appears already in line %(n)s") % {"n": seen[sku]})
        elif sku:
            seen[sku] = row.line
        kwargs = {
            "sku": sku,
            "name": p.value("name"),
            "kind": p.value("kind", kind),
            "product_type": p.value("product_type", product_type),
            "is_serialised": p.value("is_serialised", parse_bool, False),
            "warranty_months": p.value("warranty_months", parse_int, 0),
            "price": p.value("price", parse_decimal, Decimal("0.00")),
            "cost": p.value("cost", parse_decimal, Decimal("0.00")),
            "tax_rate": p.value("tax_rate", parse_decimal, Decimal("19.00")),
            "currency": p.value("currency", None, ""),
        }
        if p.ok:
            steps.append(Step([row.line], services.create_product, kwargs))
    return steps


def _serial(text: str) -> str:
    return services.clean_serial(text)


def _existing_units(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    serials = {serial for _pk, serial in pairs}
    for chunk in _chunks(serials):
        # catalog_unit_serial_upper_idx: the serial-only index is on UPPER(serial)
        keys = {serial.upper() for serial in chunk}
        units = Unit.objects.alias(serial_upper=Upper("serial")).filter(serial_upper__in=keys)
        found.update(units.values_list("product_id", "serial"))
    return found & pairs


def plan_units(rows: list[Row], errors: list[RowError]) -> list[Step]:
    products = _products(rows)
    parsed = []
    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["units"].required
        product = p.value("sku", _product(products))
        if product is not None and not product.is_serialised:
            p.fail("sku", _("%(v)s is not a serialised product") % {"v": product.sku})
        kwargs = {
            "product": product,
            "serial": p.value("serial", _serial),
            "manufactured_on": p.value("manufactured_on", _not_future("manufactured_on"), None),
            "notes": p.value("notes", None, ""),
        }
        parsed.append((p, row, kwargs))
    existing = _existing_units({(k["product"].pk, k["serial"]) for p, _r, k in parsed if p.ok})
    seen: dict[tuple[int, str], int] = {}
    steps = []
    for p, row, kwargs in parsed:
        if not p.ok:
            continue
        key = (kwargs["product"].pk, kwargs["serial"])
        if key in existing:
            p.fail("serial", _("this unit exists already"))
        elif key in seen:
            p.fail("serial", _("duplicate serial number; first in line %(n)s") % {"n": seen[key]})
        else:
            seen[key] = row.line
            steps.append(Step([row.line], services.create_unit, kwargs))
    return steps


def plan_registrations(rows: list[Row], errors: list[RowError]) -> list[Step]:
    products = _products(rows)
    customers = _customers(rows, "customer_number", "dealer_number")
    seen: dict[tuple[int, str], int] = {}
    steps = []

    def channel(text: str) -> str:
        if text not in RegistrationChannel.values:
            raise BadValue(
                _("%(v)s is not one of %(c)s")
                % {"v": text, "c": ", ".join(RegistrationChannel.values)}
            )
        return text

    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["registrations"].required
        product = p.value("sku", _product(products))
        serial = p.value("serial", _serial)
        purchased_on = p.value("purchased_on", _not_future("purchased_on"))
        registered_on = p.value("registered_on", _not_future("registered_on"), None)
        if purchased_on and registered_on and registered_on < purchased_on:
            p.fail("registered_on", _("lies before the purchase date"))
        kwargs = {
            "product": product,
            "serial": serial,
            "customer": p.value("customer_number", _customer(customers)),
            "dealer": p.value("dealer_number", _dealer(customers), None),
            "purchased_on": purchased_on,
            "registered_on": registered_on,
            "channel_of_registration": p.value("channel", channel, RegistrationChannel.IMPORT),
        }
        if product is not None and serial:
            key = (product.pk, serial)
            if key in seen:
                p.fail(
                    "serial", _("duplicate serial number; first in line %(n)s") % {"n": seen[key]}
                )
            seen[key] = seen.get(key, row.line)
        if p.ok:
            steps.append(
                Step(
                    [row.line],
                    services.register_unit,
                    kwargs,
                    {"customer_id": "customer_number", "dealer_id": "dealer_number"},
                )
            )
    return steps


def plan_orders(rows: list[Row], errors: list[RowError]) -> list[Step]:
    products = _products(rows)
    customers = _customers(rows, "customer_number", "dealer_number")
    numbers = {r.get("order_number") for r in rows if r.get("order_number")}
    existing: set[str] = set()
    for chunk in _chunks(numbers):
        existing.update(
            SalesOrder.objects.filter(number__in=chunk).values_list("number", flat=True)
        )
    groups: dict[str, dict[str, Any]] = {}
    bad_orders: set[str] = set()
    seen_serials: dict[tuple[int, str], int] = {}

    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["orders"].required
        number = p.value("order_number")
        customer = p.value("customer_number", _customer(customers))
        dealer = p.value("dealer_number", _dealer(customers), None)
        ordered_on = p.value("ordered_on", _not_future("ordered_on"))
        product = p.value("sku", _product(products))
        quantity = p.value("quantity", parse_decimal)
        unit_price = p.value("unit_price", parse_decimal, Decimal("0.00"))
        if quantity is not None and quantity <= 0:
            p.fail("quantity", _("must be positive"))
        if unit_price is not None and unit_price < 0:
            p.fail("unit_price", _("cannot be negative"))
        serials = []
        for text in split_serials(row.get("serials")):
            try:
                serials.append(services.clean_serial(text))
            except DomainError as exc:
                p.fail("serials", f"{text}: {exc.message}")
        if serials and product is not None:
            if not product.is_serialised:
                p.fail("serials", _("%(v)s is not a serialised product") % {"v": product.sku})
            for serial in serials:
                key = (product.pk, serial)
                if key in seen_serials:
                    p.fail(
                        "serials",
                        _("duplicate serial number %(s)s; first in line %(n)s")
                        % {"s": serial, "n": seen_serials[key]},
                    )
                seen_serials.setdefault(key, row.line)
            if quantity is not None and len(serials) > quantity:
                p.fail("serials", _("more serial numbers than the quantity"))
        if number in existing:
            p.fail("order_number", _("order %(v)s exists already") % {"v": number})
        if number is None:
            continue
        head = (customer, dealer, ordered_on)
        group = groups.get(number)
        if group is None:
            group = groups[number] = {"head": head, "first": row.line, "rows": []}
        elif p.ok and group["head"] != head and None not in (customer, ordered_on):
            for name, mine, theirs in zip(
                ("customer_number", "dealer_number", "ordered_on"), head, group["head"], strict=True
            ):
                if mine != theirs:
                    p.fail(
                        name,
                        _("differs from line %(n)s of the same order") % {"n": group["first"]},
                    )
        if not p.ok:
            bad_orders.add(number)
            continue
        group["rows"].append(
            (
                row.line,
                services.OrderLineIn(
                    product=product, quantity=quantity, unit_price=unit_price, serials=serials
                ),
            )
        )
    steps = []
    for number, group in groups.items():
        if number in bad_orders:
            continue
        customer, dealer, ordered_on = group["head"]
        steps.append(
            Step(
                [line for line, _l in group["rows"]],
                services.create_sales_order,
                {
                    "number": number,
                    "customer": customer,
                    "dealer": dealer,
                    "ordered_on": ordered_on,
                    "lines": [line for _n, line in group["rows"]],
                },
                {
                    "customer_id": "customer_number",
                    "dealer_id": "dealer_number",
                    "number": "order_number",
                    "product_id": "sku",
                },
            )
        )
    return steps


PLANS: dict[str, Callable[[list[Row], list[RowError]], list[Step]]] = {
    "products": plan_products,
    "units": plan_units,
    "registrations": plan_registrations,
    "orders": plan_orders,
}
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "products": ("catalog.manage",),
    "units": ("unit.create",),
    "registrations": ("registration.create", "unit.create"),
    "orders": ("order.manage", "unit.create"),
}
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)")


def _where(step: Step, exc: DomainError) -> RowError:
    """The line and column a service's complaint is about."""
    line, name = step.lines[0], exc.field
    if name:
        match = _LINE_FIELD.match(name)
        if match:
            index = int(match[1])
            line = step.lines[index] if index < len(step.lines) else line
            name = match[2]
        name = re.sub(r"\[\d+\]$", "", name)
        name = step.field_map.get(name, name)
        name = {"unit_id": "serial", "product_id": "sku"}.get(name, name)
    return RowError(line, name, exc.message)


# --- running --------------------------------------------------------------------------------


def run_import(
    *, kind: str, data: bytes, actor: Any, channel: str, dry_run: bool = False
) -> ImportResult:
    """Import `data` (CSV bytes) of `kind`: everything, or nothing and ImportInvalid."""
    if kind not in KINDS:
        raise DomainError(
            _("Unknown import kind %(kind)s; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)},
            field="kind",
        )
    for capability in CAPABILITIES[kind]:
        require(actor, capability)
    text = decode(data)
    rows, errors = read_rows(text, KINDS[kind])
    if errors and not rows:
        raise ImportInvalid(_("The file cannot be imported."), errors=errors)
    steps = PLANS[kind](rows, errors)
    done = 0
    try:
        with transaction.atomic():
            for step in steps:
                try:
                    with transaction.atomic():
                        step.call(actor=actor, channel=channel, **step.kwargs)
                    done += 1
                except DomainError as exc:
                    errors.append(_where(step, exc))
            if errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        raise ImportInvalid(
            _("%(n)s problem(s) found; nothing was imported.") % {"n": len(errors)},
            errors=errors,
        )
    return ImportResult(kind=kind, imported=done, dry_run=dry_run, rows=len(rows))
