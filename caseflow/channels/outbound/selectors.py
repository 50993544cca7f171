"""Read-side queries of outgoing mail: the reply form's defaults, a case's outgoing
messages, and their status on the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from caseflow.cases.models import Case, EventCategory, TimelineEvent
from caseflow.channels.models import InboundMessage, OutboundMessage, UnknownSender
from caseflow.channels.outbound import services
from caseflow.customers.models import ContactPoint, ContactPointKind

OUTBOUND_CATEGORIES = (EventCategory.EMAIL, EventCategory.SMS)
WEB_EVENT = "web_in"  # the web form's first entry (see channels.webform)


def reply_address(case: Case) -> str:
    """Where a reply on `case` goes by default: the contact's e-mail address; else the address
    the case came from (the newest customer mail, the web form, the unknown sender); else the
    customer's first address."""
    points = ContactPoint.objects.filter(kind=ContactPointKind.EMAIL)
    if case.contact_id:
        found = points.filter(contact_id=case.contact_id).order_by("id").first()
        if found is not None:
            return found.value
    came_from = (
        InboundMessage.objects.filter(case=case, is_automatic=False)
        .exclude(sender="")
        .order_by("-received_at", "-id")
        .values_list("sender", flat=True)
        .first()
    )
    if came_from:
        return came_from
    web = (
        TimelineEvent.objects.filter(case=case, event_type__code=WEB_EVENT)
        .order_by("occurred_at", "id")
        .values_list("data", flat=True)
        .first()
    )
    if isinstance(web, dict) and web.get("email"):
        return str(web["email"])
    unknown = (
        UnknownSender.objects.filter(case=case).exclude(email="").values_list("email", flat=True)
    ).first()
    if unknown:
        return unknown
    found = points.filter(customer_id=case.customer_id).order_by("id").first()
    return found.value if found is not None else ""


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
