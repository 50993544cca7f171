"""Product types and products: the catalogue of articles."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.catalog.models import Product, ProductKind, ProductType
from caseflow.catalog.services.rules import check_choice, to_decimal
from caseflow.core.audit import audit, snapshot
from caseflow.core.editing import Edit, archive, lock, refuse_unknown
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate

PRODUCT_FIELDS = (
    "sku",
    "name",
    "kind",
    "product_type",
    "is_serialised",
    "warranty_months",
    "price",
    "cost",
    "tax_rate",
    "currency",
)


@transaction.atomic
def create_product_type(
    *,
    actor: User | None,
    channel: str,
    code: str,
    name: str,
    names: Mapping[str, str] | None = None,
) -> ProductType:
    """Add a product family (routing and statistics group by it). `name` is the English
    name; `names` the others by language (`{"de": …, "es": …}`): a reader whose language has
    none sees the English one."""
    require(actor, "catalog.manage")
    per_language: dict[str, str | None] = {
        f"name_{lang}": None for lang in settings.MODELTRANSLATION_LANGUAGES
    }
    for language, text in (names or {}).items():
        if f"name_{language}" not in per_language:
            raise DomainError(_("Unknown language."), field="names")
        per_language[f"name_{language}"] = (text or "").strip() or None
    per_language["name_en"] = (name or "").strip()
    product_type = ProductType(code=(code or "").strip(), **per_language)
    if ProductType.objects.filter(code=product_type.code).exists():
        raise DomainError(
            _("A product type with code %(code)s exists already.") % {"code": product_type.code},
            field="code",
            code="duplicate",
        )
    validate(product_type)
    product_type.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.product_type_created",
        target=product_type,
        new_chain=True,
        after={"code": product_type.code, **per_language},
    )
    return product_type


def _check_product(product: Product) -> None:
    check_choice(product.kind, ProductKind.values, field="kind")
    for name in ("price", "cost", "tax_rate"):
        setattr(product, name, to_decimal(getattr(product, name), field=name))
    if product.tax_rate > 100:
        raise DomainError(_("The tax rate is a percentage up to 100."), field="tax_rate")
    product.currency = (product.currency or "").strip().upper()
    if len(product.currency) != 3 or not product.currency.isalpha():
        raise DomainError(_("The currency is a three-letter ISO code."), field="currency")


@transaction.atomic
def create_product(
    *,
    actor: User | None,
    channel: str,
    sku: str,
    name: str,
    kind: str,
    product_type: ProductType | None = None,
    is_serialised: bool = False,
    warranty_months: int = 0,
    price: Decimal | str = Decimal("0.00"),
    cost: Decimal | str = Decimal("0.00"),
    tax_rate: Decimal | str = Decimal("19.00"),
    currency: str = "",
) -> Product:
    """Add an article to the catalogue: device, spare part, consumable or labour."""
    require(actor, "catalog.manage")
    product = Product(
        sku=(sku or "").strip(),
        name=(name or "").strip(),
        kind=kind,
        product_type=product_type,
        is_serialised=is_serialised,
        warranty_months=warranty_months,
        price=price,
        cost=cost,
        tax_rate=tax_rate,
        currency=currency or settings.DEFAULT_CURRENCY,
    )
    _check_product(product)
    if product.sku and Product.objects.filter(sku=product.sku).exists():
        raise DomainError(
            _("A product with article number %(sku)s exists already.") % {"sku": product.sku},
            field="sku",
            code="duplicate",
        )
    validate(product)
    product.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.product_created",
        target=product,
        new_chain=True,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def update_product(
    *, actor: User | None, channel: str, product: Product, version: int, **changes: Any
) -> Product:
    """Change a product, unless someone else changed it since `version`.

    A new warranty period applies to registrations from now on, not to earlier ones.
    """
    require(actor, "catalog.manage")
    refuse_unknown(changes, PRODUCT_FIELDS)
    locked = lock(product, version=version)
    edit = Edit(locked, PRODUCT_FIELDS)
    edit.set({k: v.strip() if k in ("sku", "name") else v for k, v in changes.items()})
    _check_product(locked)
    changed = edit.diff()
    if not changed:
        return locked
    if "sku" in changed and Product.objects.filter(sku=locked.sku).exclude(pk=locked.pk).exists():
        raise DomainError(
            _("A product with article number %(sku)s exists already.") % {"sku": locked.sku},
            field="sku",
            code="duplicate",
        )
    if "is_serialised" in changed and not locked.is_serialised and locked.units.exists():
        raise DomainError(
            _("This product has serialised units; it cannot stop being serialised."),
            field="is_serialised",
        )
    edit.save(actor=actor, channel=channel, action="catalog.product_updated")
    return locked


@transaction.atomic
def archive_product(*, actor: User | None, channel: str, product: Product) -> Product:
    """Take a product out of the catalogue; its units, orders and cases keep it."""
    require(actor, "catalog.manage")
    locked, _changed = archive(
        product, actor=actor, channel=channel, action="catalog.product_archived"
    )
    return locked
