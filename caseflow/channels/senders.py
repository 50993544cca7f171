"""Who wrote this? Linking a message (e-mail, web form, SMS, call) to a customer.

Every channel links its messages the same way: `match` finds the customer and contact by
e-mail address (case-insensitive) or phone number (any notation); `open_case` opens the
case for the matched customer, or, when nobody matched, for the placeholder customer
"Unknown senders" with an `UnknownSender` row that remembers who wrote. The desk shows such
a case as "unknown contact" and offers `adopt`: create a customer from the message, or give
the case to an existing customer, in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import Language, Team, User
from caseflow.accounts.roles import require
from caseflow.cases.models import Case
from caseflow.cases.services import move_case
from caseflow.cases.services import open_case as _open_case
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.channels.models import UnknownSender
from caseflow.core.errors import DomainError
from caseflow.core.phones import to_e164
from caseflow.customers.models import (
    PHONE_KINDS,
    Contact,
    ContactPoint,
    ContactPointKind,
    Customer,
    CustomerKind,
)
from caseflow.customers.services import add_contact, create_customer, placeholder_customer

# The placeholder customer's number: outside the generated series (CU-…), so never taken.
UNKNOWN_NUMBER = "UNKNOWN"
# Customers compared when several share an address (more is a data problem, not a family).
MAX_SHARED = 20


@dataclass(frozen=True)
class Match:
    customer: Customer | None
    contact: Contact | None


NO_MATCH = Match(None, None)


def _points(*, email: str, phone: str):
    """The live contact points at `email` or `phone`, or None when neither is usable."""
    email = (email or "").strip().lower()
    e164 = to_e164(phone) if phone else None
    if email and "@" in email:
        return ContactPoint.objects.filter(value=email, kind=ContactPointKind.EMAIL)
    if e164:
        return ContactPoint.objects.filter(value=e164, kind__in=PHONE_KINDS)
    return None


def match(*, email: str = "", phone: str = "") -> Match:
    """The customer and contact reachable at `email` (preferred) or else `phone`.

    Archived customers and contacts and the placeholder never match. When several customers
    share the address (a family, a dealer and its customer), the one whose case came in last
    wins, then the oldest customer. One indexed query for the usual single match (kept plain:
    on the intake's hot path, compiling a subquery cost more than running it), and one index
    probe per customer when several share the address.
    """
    points = _points(email=email, phone=phone)
    if points is None:
        return NO_MATCH
    found = list(
        points.filter(contact__archived_at__isnull=True, customer__archived_at__isnull=True)
        .exclude(customer__number=UNKNOWN_NUMBER)
        .select_related("contact", "customer")
        .order_by("customer_id", "contact_id")[:MAX_SHARED]
    )
    if not found:
        return NO_MATCH
    best = found[0]
    if any(point.customer_id != best.customer_id for point in found):
        newest: dict[int, Any] = {}
        for point in found:
            if point.customer_id not in newest:
                newest[point.customer_id] = (
                    Case.objects.filter(customer_id=point.customer_id)
                    .order_by("-received_at")
                    .values_list("received_at", flat=True)
                    .first()
                )
        # Newest case first; customers without cases last; ties to the oldest customer.
        best = min(
            found,
            key=lambda p: (newest[p.customer_id] is None, _negated(newest[p.customer_id])),
        )
    return Match(best.customer, best.contact)


def customer_for(
    *, email: str = "", phone: str = "", sales_order: SalesOrder | None = None
) -> Match:
    """Whose case a message opens: the order's customer when an order is named (its contact
    too, when the sender is one of the order's customer or dealer), else the sender's match.
    NO_MATCH: the placeholder customer's."""
    found = match(email=email, phone=phone)
    if sales_order is not None and (
        found.customer is None
        or found.customer.pk not in (sales_order.customer_id, sales_order.dealer_id)
    ):
        return Match(sales_order.customer, None)
    return found


def _negated(moment: datetime | None) -> float:
    return -moment.timestamp() if moment is not None else 0.0


def unknown_senders(*, channel: str = "email") -> Customer:
    """The placeholder customer that holds the cases of senders nobody recognised yet
    (created through the customer service, audited and indexed, by the first message that
    needs it)."""
    return placeholder_customer(
        number=UNKNOWN_NUMBER,
        name=_("Unknown senders"),
        language="en",
        notes=_(
            "Cases from e-mail, web form or SMS senders that matched no customer. "
            "Adopt the sender on the case to move it to a real customer."
        ),
        channel=channel,
    )


def is_unknown(case: Case) -> bool:
    return case.customer.number == UNKNOWN_NUMBER


@transaction.atomic
def open_case(
    *,
    channel: str,
    subject: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    symptom: str = "",
    language: str | None = None,
    unit: Unit | None = None,
    product: Product | None = None,
    sales_order: SalesOrder | None = None,
    received_at: datetime | None = None,
    owner: User | None = None,
    team: Team | None = None,
    found: Match | None = None,
    origin: dict[str, Any] | None = None,
) -> Case:
    """Open a case for a customer's message, as the system (no acting user).

    The order's customer wins (its contact too, when the sender is one of them); else the
    sender's match; else the placeholder customer, with the sender remembered. `found`: what
    `customer_for` already answered for these arguments. `origin`: what the channel tells the
    case's `opened` subscribers (`acknowledgements.origin`); without a language of its own it
    gets the one to answer in: the contact's, else the customer's, else (an unknown sender)
    `language`, else the site's.
    """
    if found is None:
        found = customer_for(email=email, phone=phone, sales_order=sales_order)
    contact = found.contact
    unknown = found.customer is None
    customer = unknown_senders(channel=channel) if found.customer is None else found.customer
    if origin is not None and not origin.get("language"):
        spoken = language if unknown else (contact.language if contact else "") or customer.language
        origin = {**origin, "language": spoken or settings.LANGUAGE_CODE}
    case = _open_case(
        actor=None,
        channel=channel,
        customer=customer,
        contact=contact,
        subject=subject[:200] or _("(no subject)"),
        symptom=symptom,
        unit=unit,
        product=None if unit is not None else product,
        sales_order=sales_order,
        received_at=received_at,
        owner=owner,
        team=team,
        origin=origin,
    )
    if unknown:
        e164 = to_e164(phone) if phone else None
        UnknownSender.objects.create(
            case=case,
            channel=channel,
            name=(name or "").strip()[:200],
            email=(email or "").strip().lower()[:254],
            phone=e164 or (phone or "").strip()[:32],
            language=language if language in Language.values else "",
        )
    return case


def sender_of(case: Case) -> UnknownSender | None:
    """The unadopted sender of a placeholder customer's case, else None (one query)."""
    if not is_unknown(case):
        return None
    return UnknownSender.objects.filter(case=case, adopted_at__isnull=True).first()


@transaction.atomic
def adopt(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    customer: Customer | None = None,
    version: int | None = None,
) -> Case:
    """Give an unknown sender's case to a customer.

    Without `customer`, a new customer (a person) is created from the sender's name, e-mail
    address and phone number. With one, the sender becomes a contact of that customer unless
    one of its contacts already has the address. Either way the case moves, with its audit.
    """
    sender = UnknownSender.objects.select_for_update().filter(case=case).first()
    if sender is None or sender.adopted_at is not None:
        raise DomainError(
            _("This case's sender is already known."), field="customer_id", code="known"
        )
    emails = [sender.email] if sender.email else []
    phones = [sender.phone] if sender.phone else []
    display = sender.name or sender.email or sender.phone or _("Unknown sender")
    if customer is None:
        require(actor, "customer.create")
        customer = create_customer(
            actor=actor,
            channel=channel,
            kind=CustomerKind.PERSON,
            name=display,
            language=sender.language or "en",
            contact_name=display,
            emails=emails,
            phones=phones,
        )
        contact = customer.contacts.order_by("id").first()
    else:
        if customer.number == UNKNOWN_NUMBER:
            raise DomainError(_("Choose a real customer."), field="customer_id")
        existing = match(email=sender.email, phone=sender.phone)
        if existing.customer is not None and existing.customer.pk == customer.pk:
            contact = existing.contact
        else:
            contact = add_contact(
                actor=actor,
                channel=channel,
                customer=customer,
                name=display,
                emails=emails,
                phones=phones,
            )
    case = move_case(
        actor=actor, channel=channel, case=case, customer=customer, contact=contact, version=version
    )
    sender.adopted_at = timezone.now()
    sender.adopted_by = actor
    sender.save(update_fields=["adopted_at", "adopted_by"])
    return case
