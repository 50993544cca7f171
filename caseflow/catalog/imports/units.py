"""The plans for files of units and of registrations."""

from __future__ import annotations

from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from caseflow.catalog import services
from caseflow.catalog.imports.reading import KINDS, Row, RowError
from caseflow.catalog.imports.values import (
    BadValue,
    RowParser,
    Step,
    chunks,
    customer_of,
    customers_by_number,
    dealer_of,
    not_future,
    product_of,
    products_by_sku,
)
from caseflow.catalog.models import RegistrationChannel, Unit


def _serial(text: str) -> str:
    return services.clean_serial(text)


def _existing_units(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    serials = {serial for _pk, serial in pairs}
    for chunk in chunks(serials):
        # catalog_unit_serial_upper_idx: the serial-only index is on UPPER(serial)
        keys = {serial.upper() for serial in chunk}
        units = Unit.objects.alias(serial_upper=Upper("serial")).filter(serial_upper__in=keys)
        found.update(units.values_list("product_id", "serial"))
    return found & pairs


def plan_units(rows: list[Row], errors: list[RowError]) -> list[Step]:
    products = products_by_sku(rows)
    parsed = []
    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["units"].required
        product = p.value("sku", product_of(products))
        if product is not None and not product.is_serialised:
            p.fail("sku", _("%(v)s is not a serialised product") % {"v": product.sku})
        kwargs = {
            "product": product,
            "serial": p.value("serial", _serial),
            "manufactured_on": p.value("manufactured_on", not_future("manufactured_on"), None),
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
    products = products_by_sku(rows)
    customers = customers_by_number(rows, "customer_number", "dealer_number")
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
        product = p.value("sku", product_of(products))
        serial = p.value("serial", _serial)
        purchased_on = p.value("purchased_on", not_future("purchased_on"))
        registered_on = p.value("registered_on", not_future("registered_on"), None)
        if purchased_on and registered_on and registered_on < purchased_on:
            p.fail("registered_on", _("lies before the purchase date"))
        kwargs = {
            "product": product,
            "serial": serial,
            "customer": p.value("customer_number", customer_of(customers)),
            "dealer": p.value("dealer_number", dealer_of(customers), None),
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
