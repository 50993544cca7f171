"""The checks the case services share: channels, event types, codes, owners, links,
the case type, text lengths. Each refuses with a `DomainError` (or `NotAllowed`) before
anything is written. The status rules (and a closed case's refusal) are `cases.status`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import OWNER_ROLES, can, require
from caseflow.cases import config
from caseflow.cases.models import CaseType, Code, EventType
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.customers.models import Contact, Customer

CLOCK_SKEW = timedelta(minutes=5)
# Text columns have no length in the database; these limits keep a case readable.
TEXT_LIMITS = {"symptom": 20000, "diagnosis": 20000, "solution": 20000}


def _active_event_type(code: str) -> EventType:
    """The active event type `code`, or the error an unknown one gets."""
    try:
        found = config.event_type(code)
    except EventType.DoesNotExist:
        found = None
    if found is None or not found.active:
        raise DomainError(_("Unknown event type."), field="event_type", code="unknown")
    return found


def _check_channel(channel: str) -> None:
    from caseflow.core.models import Channel

    if channel not in Channel.values:
        raise DomainError(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")


def _check_codes(kind: str, general: Code | None, specific: Code | None, field: str) -> None:
    """A specific code must be an active child of the chosen general code of the same kind."""
    if general is None:
        if specific is not None:
            raise DomainError(
                _("Choose the general code first."), field=f"{field}_general_id", code="code"
            )
        return
    if general.kind != kind or general.parent_id is not None or not general.active:
        raise DomainError(
            _("%(code)s is not an active general %(kind)s code.")
            % {"code": general.code, "kind": kind},
            field=f"{field}_general_id",
            code="code_mismatch",
        )
    if specific is None:
        return
    if specific.kind != kind or specific.parent_id != general.pk or not specific.active:
        raise DomainError(
            _("%(specific)s does not belong to the general code %(general)s.")
            % {"specific": specific.code, "general": general.code},
            field=f"{field}_specific_id",
            code="code_mismatch",
        )


def _check_owner(owner: User | None) -> None:
    if owner is not None and (not owner.is_active or owner.role not in OWNER_ROLES):
        raise DomainError(
            _("%(user)s cannot own cases.") % {"user": owner}, field="owner_id", code="owner"
        )


def _may_assign(actor: User | None, owner: User | None) -> None:
    """`case.assign` gives a case to nobody, to oneself or to a colleague in one of one's
    teams (not archived); to anyone else only `case.assign_any` (team leads) may give it."""
    require(actor, "case.assign")
    if actor is None or owner is None or owner.pk == actor.pk or can(actor, "case.assign_any"):
        return
    _check_owner(owner)  # someone who cannot own cases hears that first
    colleagues = Team.objects.filter(archived_at__isnull=True, members=actor).filter(members=owner)
    if not colleagues.exists():
        raise NotAllowed(
            _("%(user)s is in none of your teams; giving a case to someone outside them needs "
              "a team lead (case.assign_any).") % {"user": owner},
            field="owner_id",
        )  # fmt: skip


def _check_links(
    customer: Customer,
    contact: Contact | None,
    unit: Unit | None,
    product: Product | None,
    sales_order: SalesOrder | None,
) -> Product | None:
    """Contact and order belong to the customer; the unit decides the product."""
    if contact is not None and contact.customer_id != customer.pk:
        raise DomainError(
            _("This contact belongs to another customer."), field="contact_id", code="mismatch"
        )
    if sales_order is not None and customer.pk not in (
        sales_order.customer_id,
        sales_order.dealer_id,
    ):
        raise DomainError(
            _("Order %(order)s belongs to another customer.") % {"order": sales_order.number},
            field="sales_order_id",
            code="mismatch",
        )
    if unit is not None:
        if product is not None and product.pk != unit.product_id:
            raise DomainError(
                _("Unit %(serial)s is not a %(product)s.")
                % {"serial": unit.serial, "product": product.name},
                field="product_id",
                code="mismatch",
            )
        return unit.product
    return product


def _check_case_type(actor: User | None, case_type: str, suggested: str, reason: str) -> None:
    if case_type not in CaseType.values:
        raise DomainError(_("Unknown case type."), field="case_type")
    if case_type != suggested and not reason.strip():
        raise DomainError(
            _("The suggested case type is %(suggested)s; say why it should be %(chosen)s.")
            % {"suggested": CaseType(suggested).label, "chosen": CaseType(case_type).label},
            field="case_type_reason",
            code="reason_required",
        )
    if case_type == CaseType.COURTESY and case_type != suggested:
        # Courtesy ("Kulanz") gives work away: a team lead decides.
        require(actor, "case.override_type")


def _validate_text(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise DomainError(
            _("%(field)s is too long (%(length)s characters; at most %(limit)s).")
            % {"field": field, "length": len(value), "limit": limit},
            field=field,
            code="too_long",
        )
    return value
