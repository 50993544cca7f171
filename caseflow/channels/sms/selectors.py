"""Reads for the SMS screens: whom to text."""

from __future__ import annotations

from caseflow.cases.models import Case
from caseflow.channels import senders
from caseflow.customers.models import ContactPoint, ContactPointKind


def mobile_for(case: Case) -> str:
    """The number an SMS about `case` goes to: its contact's mobile; for a case without a
    contact, the mobile of the customer's (primary, else first) live contact; for an unknown
    sender's case, the sender's number; "" when there is none. One or two queries."""
    points = ContactPoint.objects.filter(
        customer_id=case.customer_id,
        kind=ContactPointKind.MOBILE,
        contact__archived_at__isnull=True,
    )
    if case.contact_id is not None:
        points = points.filter(contact_id=case.contact_id)
    first = points.order_by("-contact__is_primary", "id").first()
    if first is not None:
        return first.value
    # An unknown sender's case: the number the SMS or call came from.
    sender = senders.sender_of(case)
    return sender.phone if sender is not None and sender.phone.startswith("+") else ""
