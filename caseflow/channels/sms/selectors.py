"""Reads for the SMS screens: whom to text, and what became of the SMS on a timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from caseflow.cases.models import Case
from caseflow.channels import senders
from caseflow.channels.models import MessageKind, OutboundMessage
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


def attach_sms(events: Iterable[Any]) -> None:
    """Give each SMS-out event of a timeline page its message as `event.sms` (for the status
    badge): one query, and none when the page has no SMS."""
    wanted = [e for e in events if e.event_type.code == "sms_out"]
    if not wanted:
        return
    messages = {
        m.event_id: m
        for m in OutboundMessage.objects.filter(
            kind=MessageKind.SMS, event_id__in=[e.pk for e in wanted]
        )
    }
    for event in wanted:
        event.sms = messages.get(event.pk)
