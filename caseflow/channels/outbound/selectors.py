"""Read-side queries of outgoing mail: the reply form's defaults, a case's outgoing
messages, and their status on the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from caseflow.cases.models import Case, EventCategory, TimelineEvent
from caseflow.channels.models import InboundMessage, OutboundMessage
from caseflow.channels.outbound import services
from caseflow.customers.models import ContactPoint, ContactPointKind

OUTBOUND_CATEGORIES = (EventCategory.EMAIL, EventCategory.SMS)


def reply_address(case: Case) -> str:
    """Where a reply on `case` goes by default: the contact's e-mail address, else the
    customer's, else the address of the customer's newest message on the case."""
    points = ContactPoint.objects.filter(kind=ContactPointKind.EMAIL)
    if case.contact_id:
        found = points.filter(contact_id=case.contact_id).order_by("id").first()
        if found is not None:
            return found.value
    found = points.filter(customer_id=case.customer_id).order_by("id").first()
    if found is not None:
        return found.value
    sender = (
        InboundMessage.objects.filter(case=case, is_automatic=False)
        .exclude(sender="")
        .order_by("-received_at", "-id")
        .values_list("sender", flat=True)
        .first()
    )
    return sender or ""


def reply_defaults(case: Case) -> dict[str, Any]:
    """What the reply form starts with: the address, the sender and the signature that will
    be appended, and the language templates are filled in."""
    mailbox = services.mailbox_for(case)
    sender, _domain = services.sender_of(mailbox)
    return {
        "to": reply_address(case),
        "sender": sender,
        "signature": mailbox.signature.strip() if mailbox else "",
        "language": services.case_language(case),
    }


def outbound_of_case(case: Case) -> QuerySet[OutboundMessage]:
    """The case's outgoing e-mails and SMS, newest first."""
    return OutboundMessage.objects.filter(case=case).order_by("-created_at", "-id")


def attach_outbound(events: Iterable[TimelineEvent]) -> None:
    """Give each e-mail/SMS event of a timeline page its outgoing message as `outbound`
    (None for the others): one query for the page, none when it holds no such event."""
    events = list(events)
    ids = [e.pk for e in events if e.event_type.category in OUTBOUND_CATEGORIES]
    found = {m.event_id: m for m in OutboundMessage.objects.filter(event_id__in=ids)} if ids else {}
    for event in events:
        event.outbound = found.get(event.pk)  # type: ignore[attr-defined]
