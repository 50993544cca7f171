"""The parts, consumables and labour used on a case."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import events
from caseflow.cases import status as rules
from caseflow.cases.integrity import recorded
from caseflow.cases.models import Case, SupplyLine
from caseflow.cases.services._steps import _bump, _lock, _system_event
from caseflow.catalog.models import Product
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate


@transaction.atomic
def add_supply(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    product: Product,
    quantity: Decimal,
    unit_price: Decimal | None = None,
    description: str = "",
) -> SupplyLine:
    """Record a part, consumable or labour used on the case, at the product's price unless
    another price is given."""
    require(actor, "case.supply")
    case = _lock(case, None)
    rules.refuse_closed(case)
    if product.archived_at is not None:
        raise DomainError(_("This product is archived."), field="product_id", code="archived")
    if quantity <= 0 or quantity.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError(
            _("The quantity must be above zero, with at most two decimals."), field="quantity"
        )
    price = product.price if unit_price is None else unit_price
    if price < 0:
        raise DomainError(_("A price cannot be negative."), field="unit_price")
    line = SupplyLine(
        case=case,
        product=product,
        description=(description.strip() or product.name)[:200],
        quantity=quantity,
        unit_price=price,
        tax_rate=product.tax_rate,
        currency=product.currency,
        added_by=actor,
    )
    validate(line, exclude=("case", "product", "added_by"))
    line.save()
    _bump(case, [])
    event = _system_event(
        case,
        "supply_added",
        actor=actor,
        channel=channel,
        text=f"{quantity} × {line.description}",
        line=line.pk,
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.supply_added",
        target=line,
        aggregate=case,
        after={
            "product": product.pk,
            "quantity": quantity,
            "unit_price": price,
            "tax_rate": line.tax_rate,
            **recorded(event),
        },
    )
    events.publish(events.SUPPLIES_CHANGED, case, actor=actor, channel=channel, line=line.pk)
    return line


@transaction.atomic
def remove_supply(*, actor: User | None, channel: str, case: Case, line: SupplyLine) -> SupplyLine:
    """Take a supply line off the case (kept, marked removed, for the record)."""
    require(actor, "case.supply")
    case = _lock(case, None)
    rules.refuse_closed(case)
    line = SupplyLine.objects.select_for_update().get(pk=line.pk)
    if line.case_id != case.pk or line.removed_at is not None:
        raise DomainError(_("This supply line is not on the case."), field="line_id")
    line.removed_at = timezone.now()
    line.save(update_fields=["removed_at"])
    _bump(case, [])
    event = _system_event(
        case, "supply_removed", actor=actor, channel=channel, text=line.description, line=line.pk
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.supply_removed",
        target=line,
        aggregate=case,
        before={"quantity": line.quantity, "product": line.product_id},
        after={"removed_at": line.removed_at, **recorded(event)},
    )
    events.publish(
        events.SUPPLIES_CHANGED, case, actor=actor, channel=channel, line=line.pk, removed=True
    )
    return line
