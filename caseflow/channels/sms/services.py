"""SMS: sent from a case (queued → sent / failed by a background task) and received by the
gateway's webhook, linked by phone number like e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import services as case_services
from caseflow.cases.models import ACTIVE, Case, CaseStatus
from caseflow.cases.numbers import NUMBER_IN_TEXT as CASE_TAG
from caseflow.channels import acknowledgements, senders
from caseflow.channels.models import (
    InboundSms,
    InboundStatus,
    MessageKind,
    OutboundMessage,
    OutboundStatus,
    TemplatePurpose,
    UnknownSender,
)
from caseflow.channels.outbound import sending
from caseflow.channels.sms.backends import SmsError, get_backend
from caseflow.channels.sms.length import measure
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.phones import to_e164
from caseflow.customers.services import normalise_phone

logger = logging.getLogger("caseflow.sms")

MAX_BACKOFF = 3600
SUBJECT_CHARS = 80


# --- outgoing -----------------------------------------------------------------------------


@transaction.atomic
def send_sms(
    *, actor: User | None, case: Case, to: str, text: str, key: str = ""
) -> OutboundMessage:
    """Send an SMS to the customer from the case: an `sms_out` entry on the timeline now,
    handed to the provider by a background task (queued → sent or failed). The same `key`
    (the form's, against a double click) sends once."""
    require(actor, "case.event")
    to = normalise_phone(to, field="to")
    text = text.strip()
    if not text:
        raise DomainError(_("Write the message."), field="text")
    length = measure(text)
    if length.segments > settings.SMS_MAX_SEGMENTS:
        raise DomainError(
            _("The message takes %(segments)s SMS; at most %(limit)s are allowed.")
            % {"segments": length.segments, "limit": settings.SMS_MAX_SEGMENTS},
            field="text",
            code="too_long",
        )
    key = key.strip()[:64]
    if key:
        # The case row lock (taken by record_event too) orders two clicks of one form.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        earlier = OutboundMessage.objects.filter(
            case=case, kind=MessageKind.SMS, event__data__key=key
        ).first()
        if earlier is not None:
            return earlier
    return _queue(actor=actor, case=case, to=to, text=text, data={"key": key} if key else {})


def _queue(
    *,
    actor: User | None,
    case: Case,
    to: str,
    text: str,
    data: dict[str, str],
    is_acknowledgement: bool = False,
) -> OutboundMessage:
    """The `sms_out` entry and its queued message; the send task runs after COMMIT."""
    event = case_services.record_event(
        actor=actor,
        channel=Channel.SMS,
        case=case,
        event_type="sms_out",
        text=text,
        is_internal=False,
        data={"to": to, **measure(text).as_data(), **data},
    )
    message = OutboundMessage.objects.create(
        kind=MessageKind.SMS,
        case=case,
        event=event,
        to=to,
        body=text,
        sender=settings.SMS_FROM[:300],
        is_acknowledgement=is_acknowledgement,
        next_attempt_at=timezone.now(),
    )
    from caseflow.channels.sms.tasks import send_sms_task

    transaction.on_commit(partial(send_sms_task, message.pk))
    return message


@transaction.atomic
def send_sms_acknowledgement(
    *, case_id: int, to: str, language: str = ""
) -> OutboundMessage | None:
    """Confirm a case opened by the customer's SMS with its number, by SMS (the "sms"
    message template in the customer's language; "" is the site's). At most one per case
    (the case is locked, then checked for one), so a subscriber run again sends nothing
    more; None when nothing is to be sent (acknowledged already, no active template)."""
    from caseflow.channels.outbound import templating

    to = normalise_phone(to, field="to")
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related(*templating.CASE_RELATED)
        .get(pk=case_id)
    )
    if OutboundMessage.objects.filter(case=case, is_acknowledgement=True).exists():
        return None
    language = language or settings.LANGUAGE_CODE
    template = templating.pick_for_purpose(TemplatePurpose.SMS, language)
    if template is None:
        logger.warning("no active SMS template: case %s is not acknowledged", case.number)
        return None
    _subject, text = templating.render_template(template, case, language=language)
    if not text or measure(text).segments > settings.SMS_MAX_SEGMENTS:
        logger.warning("the SMS template %s is empty or too long", template.code)
        return None
    return _queue(actor=None, case=case, to=to, text=text, data={}, is_acknowledgement=True)


@dataclass(frozen=True)
class Delivery:
    outcome: str  # "sent", "failed", "retry", or "skipped" (not queued, or another worker's)
    attempts: int = 0

    @property
    def retry_in(self) -> int:
        """Seconds until the next attempt: doubling from SMS_RETRY_DELAY, at most an hour."""
        return min(MAX_BACKOFF, settings.SMS_RETRY_DELAY * 2 ** max(0, self.attempts - 1))


def deliver_sms(message_id: int) -> Delivery:
    """Hand one queued SMS to the provider (the send task's work). The message is claimed
    first with a conditional UPDATE (a lease in `locked_until`, as e-mail out does), so two
    workers never send it at once; the provider is called outside any transaction."""
    if not sending.claim(message_id, MessageKind.SMS):
        return Delivery("skipped")
    message = OutboundMessage.objects.get(pk=message_id)
    attempts = message.attempts
    mine = OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.QUEUED)
    try:
        provider_id = get_backend().send(
            message.to.splitlines()[0], message.body, ref=f"caseflow-sms-{message.pk}"
        )
    except Exception as exc:
        temporary = not isinstance(exc, SmsError) or exc.temporary
        if not isinstance(exc, SmsError):
            logger.exception("SMS backend failed on message %s", message.pk)
        error = str(exc)[:2000] or exc.__class__.__name__
        if temporary and attempts < settings.SMS_MAX_ATTEMPTS:
            delivery = Delivery("retry", attempts)
            mine.update(
                last_error=error,
                locked_until=None,
                next_attempt_at=timezone.now() + timedelta(seconds=delivery.retry_in),
            )
            return delivery
        logger.warning("SMS %s failed after %s attempt(s): %s", message.pk, attempts, error)
        mine.update(
            status=OutboundStatus.FAILED, last_error=error, locked_until=None, next_attempt_at=None
        )
        return Delivery("failed", attempts)
    mine.update(
        status=OutboundStatus.SENT,
        sent_at=timezone.now(),
        message_id=provider_id[:998],
        last_error="",
        locked_until=None,
        next_attempt_at=None,
    )
    return Delivery("sent", attempts)


def overdue_sms(*, now: datetime | None = None) -> list[int]:
    """Queued SMS that should have gone already (the enqueue after COMMIT was lost, a worker
    died mid-send): the sweep sends them again."""
    return sending.overdue(MessageKind.SMS, now=now)


# --- incoming -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    sms: InboundSms
    duplicate: bool


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


def receive_sms(
    *, provider_id: str, sender: str, to: str = "", text: str, sent_at: datetime
) -> Received:
    """Store an SMS the gateway forwarded, then link it to a case. The provider's id makes a
    re-delivery change nothing; an SMS that cannot be linked is kept, quarantined with the
    reason (listed in the admin)."""
    provider_id = provider_id.strip()[:200]
    if not provider_id:
        raise DomainError(_("The message id is missing."), field="id")
    sender = sender.strip()[:100]
    with transaction.atomic():
        sms, created = InboundSms.objects.get_or_create(
            provider_id=provider_id,
            defaults={
                "sender": sender,
                "number": to_e164(sender) or "",
                "to": (to or "").strip()[:100],
                "text": text[:5000],
                "sent_at": _aware(sent_at),
            },
        )
    if not created:
        return Received(sms, duplicate=True)
    try:
        _link(sms.pk)
    except Exception as exc:  # kept, with the reason, for an admin: never lost
        logger.exception("inbound SMS %s could not be linked", sms.pk)
        reason = exc.message if isinstance(exc, DomainError) else repr(exc)
        InboundSms.objects.filter(pk=sms.pk).update(
            status=InboundStatus.QUARANTINED, reason=reason[:2000]
        )
    sms.refresh_from_db()
    return Received(sms, duplicate=False)


def _tagged_case(text: str, *, customer_id: int | None, number: str) -> Case | None:
    """The open case whose number the text names, if it is the sender's: his customer's, or
    opened from this very number for an unknown sender."""
    for tag in CASE_TAG.findall(text)[:5]:
        case = Case.objects.filter(number=tag.upper()).exclude(status=CaseStatus.CLOSED).first()
        if case is None:
            continue
        if customer_id is not None and case.customer_id == customer_id:
            return case
        if number and UnknownSender.objects.filter(case=case, phone=number).exists():
            return case
    return None


def _latest_open_case(found: senders.Match) -> Case | None:
    cases = Case.objects.filter(status__in=ACTIVE).order_by("-received_at", "-id")
    if found.contact is not None:
        return cases.filter(contact=found.contact).first()
    if found.customer is not None:
        return cases.filter(customer=found.customer).first()
    return None


@transaction.atomic
def _link(sms_id: int) -> None:
    sms = InboundSms.objects.select_for_update().get(pk=sms_id)
    if sms.status != InboundStatus.RECEIVED:
        return
    found = senders.match(phone=sms.number) if sms.number else senders.NO_MATCH
    customer_id = found.customer.pk if found.customer is not None else None
    text = sms.text.strip() or _("(empty message)")
    received_at = min(sms.sent_at, timezone.now())
    case = _tagged_case(text, customer_id=customer_id, number=sms.number)
    case = case or _latest_open_case(found)
    if case is None:
        first_line = text.splitlines()[0] if text.splitlines() else text
        case = senders.open_case(
            channel=Channel.SMS,
            phone=sms.number or sms.sender,
            subject=first_line[:SUBJECT_CHARS],
            symptom=text,
            received_at=received_at,
            origin=acknowledgements.origin(
                address=sms.number, acknowledge=settings.SMS_ACKNOWLEDGE and bool(sms.number)
            ),
        )
    # The customer's own message, on the timeline (a new case stays new: the system wrote it).
    sms.event = case_services.record_event(
        actor=None,
        channel=Channel.SMS,
        case=case,
        event_type="sms_in",
        text=text,
        occurred_at=received_at,
        is_internal=False,
        data={"from": sms.number or sms.sender, "provider_id": sms.provider_id},
    )
    sms.case = case
    sms.status = InboundStatus.PROCESSED
    sms.save(update_fields=["case", "event", "status"])
