"""Every outgoing e-mail starts here: replies from the case, acknowledgements of new cases,
and sending a failed message again.

A mail is a timeline event (`email_out`, visible to the customer's side of the record, with
its attachments) and an `OutboundMessage` row (status queued), written in one transaction;
the send task is enqueued after COMMIT, so a rolled-back reply never leaves the house.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from email.utils import formataddr, make_msgid, parseaddr
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases.models import Case, CaseStatus
from caseflow.cases.services import Upload, record_event
from caseflow.channels import senders
from caseflow.channels.models import (
    InboundMessage,
    Mailbox,
    MessageKind,
    MessageTemplate,
    OutboundMessage,
    OutboundStatus,
    TemplatePurpose,
    UnknownSender,
)
from caseflow.channels.outbound import templating
from caseflow.core.audit import audit, stale_conflict
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.customers.services import normalise_email

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 20
MAX_FILES = 10
SUBJECT_LIMIT = 300
BODY_LIMIT = 100000
REFERENCES_KEPT = 20  # the first message-id and the newest ones, as mail programs trim them
REPLY_PURPOSES = (TemplatePurpose.REPLY, TemplatePurpose.SOLUTION)
# Addresses no person reads: an acknowledgement to them could only start a mail loop.
AUTOMATIC_SENDER = re.compile(
    r"^(mailer-daemon|postmaster|daemon|no-?reply|do-?not-?reply|noreply-[^@]*|bounces?|"
    r"auto-?reply|auto-?responder|autoresponse|listserv|majordomo|mailman|notifications?)"
    r"([+._-][^@]*)?@",
    re.IGNORECASE,
)
# One item of an address list: quoted names and <…> may hold the separators.
_ADDRESS_ITEM = re.compile(r'(?:"[^"]*"|<[^>]*>|[^,;\r\n])+')
_NAMED_ADDRESS = re.compile(r'^(?:"[^"]*"|[^"<>:@]*)\s*<([^<>]+)>$')
_NOT_IN_MESSAGE_ID = re.compile(r"[\s<>\x00-\x1f\x7f]")


# --- helpers ----------------------------------------------------------------------------------


def parse_addresses(raw: str | Sequence[str], *, field: str) -> list[str]:
    """The addresses in `raw` ("a@x, Name <b@y>; c@z" or a list), normalised and without
    repeats; DomainError naming `field` for anything that is not one address per item
    (group syntax, header text, a half address)."""
    text = raw if isinstance(raw, str) else ",".join(raw)
    found: list[str] = []
    for item in _ADDRESS_ITEM.findall(text):
        item = item.strip()
        if not item:
            continue
        named = _NAMED_ADDRESS.match(item)
        value = normalise_email(named.group(1) if named else item, field=field)
        if value not in found:
            found.append(value)
    return found


def is_automatic_address(address: str) -> bool:
    """MAILER-DAEMON, noreply, bounces … : nobody reads these, nothing answers them."""
    return bool(AUTOMATIC_SENDER.match(address.strip()))


def tagged_subject(subject: str, number: str) -> str:
    """The subject with the case tag `[C-2026-000123]`, so the customer's answer threads
    back to the case (whatever else the subject says)."""
    subject = " ".join(subject.split())
    tag = f"[{number}]"
    return subject if tag in subject else f"{subject} {tag}".strip()


def clean_message_id(raw: str) -> str:
    """A Message-ID as `<local@domain>` with nothing that could break a header line."""
    value = _NOT_IN_MESSAGE_ID.sub("", raw or "")
    return f"<{value}>" if value else ""


def agent_name(actor: User | None) -> str:
    if actor is None:
        return ""
    return actor.get_full_name() or actor.get_username()


def case_language(case: Case) -> str:
    """The language to write to the customer in: the contact's, else the customer's (for
    an unknown sender: the one they wrote in, when the intake knew it)."""
    if case.contact_id and case.contact and case.contact.language:
        return case.contact.language
    if senders.is_unknown(case):
        sender = UnknownSender.objects.filter(case=case).only("language").first()
        return (sender.language if sender else "") or templating.FALLBACK_LANGUAGE
    return case.customer.language


def mailbox_for(case: Case) -> Mailbox | None:
    """Where replies on `case` come from: the mailbox its mail came in through, else the
    configured default mailbox, else the first active one; None means DEFAULT_FROM_EMAIL."""
    came_in = (
        InboundMessage.objects.filter(case=case, mailbox__active=True)
        .order_by("-received_at", "-id")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    if came_in is not None:
        return Mailbox.objects.get(pk=came_in)
    active = Mailbox.objects.filter(active=True)
    if settings.OUTBOUND_DEFAULT_MAILBOX:
        named = active.filter(name=settings.OUTBOUND_DEFAULT_MAILBOX).first()
        if named is not None:
            return named
        logger.warning(
            "OUTBOUND_DEFAULT_MAILBOX %r is no active mailbox", settings.OUTBOUND_DEFAULT_MAILBOX
        )
    return active.order_by("name", "id").first()


def sender_of(mailbox: Mailbox | None) -> tuple[str, str]:
    """(the From header, the domain for Message-IDs) of mail sent through `mailbox`."""
    if mailbox is not None:
        name, address = mailbox.display_name, mailbox.address
    else:
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        address = address or settings.DEFAULT_FROM_EMAIL
    domain = address.rpartition("@")[2] or "caseflow.localhost"
    return (formataddr((name, address)) if name else address), domain


def thread_of(case: Case) -> tuple[str, str]:
    """(In-Reply-To, References) for a new mail on `case`: it answers the customer's newest
    message (else our newest mail), and references the case's conversation."""
    inbound = list(
        InboundMessage.objects.filter(case=case)
        .exclude(message_id="")
        .order_by("-received_at", "-id")
        .values_list("message_id", "received_at")[:50]
    )
    outbound = list(
        OutboundMessage.objects.filter(case=case, kind=MessageKind.EMAIL)
        .exclude(message_id="")
        .order_by("-created_at", "-id")
        .values_list("message_id", "created_at")[:50]
    )
    parent = inbound[0][0] if inbound else (outbound[0][0] if outbound else "")
    ordered: list[str] = []
    for message_id, _at in sorted(inbound + outbound, key=lambda pair: pair[1]):
        cleaned = clean_message_id(message_id)
        if cleaned and cleaned not in ordered:
            ordered.append(cleaned)
    if len(ordered) > REFERENCES_KEPT:
        ordered = [ordered[0], *ordered[-(REFERENCES_KEPT - 1) :]]
    return clean_message_id(parent)[:998], " ".join(ordered)


def _lock(case: Case, version: int | None, related: tuple[str, ...] = ()) -> Case:
    """Re-read `case` under a row lock (with the `related` rows the message shows)."""
    locked = Case.objects.select_for_update(of=("self",)).select_related(*related).get(pk=case.pk)
    if version is not None and version != locked.version:
        raise stale_conflict(locked, label=_("Case %(number)s") % {"number": locked.number})
    return locked


def _check_text(subject: str, body: str) -> None:
    if len(subject) > SUBJECT_LIMIT:
        raise DomainError(
            _("The subject is too long (at most %(limit)s characters).") % {"limit": SUBJECT_LIMIT},
            field="subject",
            code="too_long",
        )
    if len(body) > BODY_LIMIT:
        raise DomainError(
            _("The text is too long (at most %(limit)s characters).") % {"limit": BODY_LIMIT},
            field="body",
            code="too_long",
        )


def enqueue_send(outbound_id: int) -> None:
    """Hand the message to the worker. If the queue is unreachable the row stays queued and
    the periodic sweep sends it: nothing is lost."""
    from caseflow.channels.outbound import tasks

    try:
        tasks.send_outbound(outbound_id)
    except Exception:
        logger.exception("could not enqueue outgoing message %s; the sweep will", outbound_id)


def _queue(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    mailbox: Mailbox | None,
    to: list[str],
    cc: list[str],
    subject: str,
    body: str,
    in_reply_to: str,
    references: str,
    uploads: Sequence[Upload] = (),
    acknowledgement: bool = False,
    template: MessageTemplate | None = None,
) -> OutboundMessage:
    """Write the timeline event and the queued message; send after COMMIT."""
    sender, domain = sender_of(mailbox)
    message_id = make_msgid(domain=domain)
    event = record_event(
        actor=actor,
        channel=channel,
        case=case,
        event_type="email_out",
        text=body,
        is_internal=False,
        data={
            "to": to,
            "cc": cc,
            "subject": subject,
            "message_id": message_id,
            "template": template.code if template else None,
            "acknowledgement": acknowledgement,
        },
        uploads=uploads,
    )
    outbound = OutboundMessage.objects.create(
        kind=MessageKind.EMAIL,
        case=case,
        event=event,
        mailbox=mailbox,
        to="\n".join(to),
        cc="\n".join(cc),
        subject=subject,
        body=body,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        is_acknowledgement=acknowledgement,
        sender=sender,
        status=OutboundStatus.QUEUED,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(partial(enqueue_send, outbound.pk))
    return outbound


# --- replies ----------------------------------------------------------------------------------


@transaction.atomic
def send_reply(
    *,
    actor: User | None,
    case: Case,
    to: str | Sequence[str],
    cc: str | Sequence[str] = "",
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    attachments: Sequence[Upload] = (),
    version: int | None = None,
    channel: str = Channel.UI,
) -> OutboundMessage:
    """Answer the customer by e-mail from the case: signature, case tag, threading headers,
    the mail on the timeline; it leaves through the worker after COMMIT.

    With a `template` and no `body`, subject and text come from the template (in the
    customer's language); otherwise `template` only records which one the text began as.
    """
    require(actor, "case.event")
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")
    recipients, copies = _recipients(to, cc)
    _check_reply(attachments, template)
    case = _lock(case, version, related=templating.CASE_RELATED if template else ())
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            _("Case %(number)s is closed; reopen it first.") % {"number": case.number},
            field="status",
            code="case_closed",
        )
    mailbox = mailbox_for(case)
    subject, body = _reply_text(
        case,
        actor=actor,
        template=template,
        subject=subject,
        body=body,
        signature=mailbox.signature if mailbox else "",
    )
    in_reply_to, references = thread_of(case)
    return _queue(
        actor=actor,
        channel=channel,
        case=case,
        mailbox=mailbox,
        to=recipients,
        cc=copies,
        subject=subject,
        body=body,
        in_reply_to=in_reply_to,
        references=references,
        uploads=attachments,
        template=template,
    )


def _recipients(to: str | Sequence[str], cc: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """(to, cc): at least one recipient, nobody twice, not too many."""
    recipients = parse_addresses(to, field="to")
    if not recipients:
        raise DomainError(_("Who should get this e-mail? Enter an address."), field="to")
    copies = [a for a in parse_addresses(cc, field="cc") if a not in recipients]
    if len(recipients) + len(copies) > MAX_RECIPIENTS:
        raise DomainError(
            _("At most %(n)s recipients per e-mail.") % {"n": MAX_RECIPIENTS},
            field="to",
            code="too_many",
        )
    return recipients, copies


def _check_reply(attachments: Sequence[Upload], template: MessageTemplate | None) -> None:
    if len(attachments) > MAX_FILES:
        raise DomainError(
            _("At most %(n)s files per e-mail.") % {"n": MAX_FILES},
            field="attachments",
            code="too_many",
        )
    if template is not None and (not template.active or template.purpose not in REPLY_PURPOSES):
        raise DomainError(
            _("%(name)s is not a reply template.") % {"name": template.name}, field="template"
        )


def _reply_text(
    case: Case,
    *,
    actor: User | None,
    template: MessageTemplate | None,
    subject: str,
    body: str,
    signature: str,
) -> tuple[str, str]:
    """(subject, body) as sent: from the template when the agent wrote no text, the case tag
    in the subject, the mailbox's signature under the text."""
    if template is not None and not body.strip():
        template_subject, body = templating.render_template(
            template,
            case,
            language=case_language(case),
            agent_name=agent_name(actor),
            signature=signature,
        )
        subject = subject.strip() or template_subject
    body = body.strip()
    if not body:
        raise DomainError(_("Write the text of the e-mail."), field="body")
    subject = tagged_subject(subject.strip() or f"Re: {case.subject}", case.number)
    body = templating.with_signature(body, signature)
    _check_text(subject, body)
    return subject, body


@transaction.atomic
def retry_outbound(
    *, actor: User | None, outbound: OutboundMessage, channel: str = Channel.UI
) -> OutboundMessage:
    """Send a failed e-mail again (after the mail server or the address was fixed)."""
    require(actor, "case.event")
    row = OutboundMessage.objects.select_for_update().get(pk=outbound.pk)
    if row.kind != MessageKind.EMAIL:
        raise DomainError(_("Only e-mails are sent again here."), field="kind")
    if row.status != OutboundStatus.FAILED:
        raise DomainError(
            _("Only a failed message can be sent again; this one is %(status)s.")
            % {"status": row.get_status_display()},
            field="status",
            code="not_failed",
        )
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    row.status = OutboundStatus.QUEUED
    row.attempts = 0
    row.locked_until = None
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["status", "attempts", "locked_until", "next_attempt_at"])
    audit(
        actor=actor,
        channel=channel,
        action="channels.outbound_retried",
        target=row,
        aggregate=Case(pk=row.case_id),
        before=before,
        after={"status": row.status},
    )
    transaction.on_commit(partial(enqueue_send, row.pk))
    return row


# --- acknowledgements -------------------------------------------------------------------------


@transaction.atomic
def send_acknowledgement(
    *,
    case_id: int,
    address: str,
    language: str = "",
    purpose: str = TemplatePurpose.ACKNOWLEDGEMENT,
    mailbox_id: int | None = None,
    message_id: str = "",
) -> OutboundMessage | None:
    """Confirm a new case to the customer, with its number, threaded to their message.

    At most one per case (the case is locked, then checked for one), so a subscriber run
    again sends nothing more; never to automatic addresses (MAILER-DAEMON, noreply …).
    `language` "" is the case's customer's. Returns None when nothing is to be sent
    (already acknowledged, no template configured).
    """
    to = normalise_email(address, field="address")
    if is_automatic_address(to):
        logger.info("no acknowledgement to the automatic address %s", to)
        return None
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related(*templating.CASE_RELATED)
        .get(pk=case_id)
    )
    if OutboundMessage.objects.filter(case=case, is_acknowledgement=True).exists():
        return None
    language = language or case_language(case)
    template = templating.pick_for_purpose(purpose, language)
    if template is None:
        logger.warning("no active %s template: case %s is not acknowledged", purpose, case.number)
        return None
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first() if mailbox_id is not None else None
    mailbox = mailbox or mailbox_for(case)
    signature = mailbox.signature if mailbox else ""
    # The web form's address is only what somebody typed: say nothing they chose.
    neutral = purpose == TemplatePurpose.WEB_CONFIRMATION
    subject, body = templating.render_template(
        template,
        case,
        language=language,
        agent_name=mailbox.display_name if mailbox else "",
        signature=signature,
        only=templating.NEUTRAL_PLACEHOLDERS if neutral else None,
    )
    if not subject:
        with translation.override(language):
            subject = (
                pgettext("subject of the web form's confirmation mail", "Your request")
                if neutral
                else case.subject
            )
    subject = tagged_subject(subject, case.number)
    body = templating.with_signature(body, signature)
    _check_text(subject, body)
    parent = clean_message_id(message_id)[:998]
    return _queue(
        actor=None,
        channel=Channel.SYSTEM,
        case=case,
        mailbox=mailbox,
        to=[to],
        cc=[],
        subject=subject,
        body=body,
        in_reply_to=parent,
        references=parent,
        acknowledgement=True,
        template=template,
    )
