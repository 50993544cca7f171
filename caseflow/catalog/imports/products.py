"""The plan for a file of products."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from caseflow.catalog import services
from caseflow.catalog.imports.reading import KINDS, Row, RowError
from caseflow.catalog.imports.values import (
    BadValue,
    RowParser,
    Step,
    chunks,
    parse_bool,
    parse_decimal,
    parse_int,
)
from caseflow.catalog.models import Product, ProductKind, ProductType


def plan_products(rows: list[Row], errors: list[RowError]) -> list[Step]:
    types = {t.code: t for t in ProductType.objects.all()}
    existing: set[str] = set()
    for chunk in chunks(r.get("sku") for r in rows if r.get("sku")):
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
