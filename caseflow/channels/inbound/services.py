"""The mail intake pipeline: receive (store raw, then process), process, retry.

Every delivery is one `InboundMessage` row whose bytes were committed before parsing. It then
ends as one of:

- processed: an `email_in` event on the case it continues (case tag, In-Reply-To/References),
  or on a new case opened for the sender (`senders.open_case`), linked to the order and unit
  the text names;
- duplicate: the same bytes were processed before (an MTA retry, a re-polled folder);
- ignored: automatic mail (auto-reply, bounce, list) that belongs to no case — kept and listed,
  never answered;
- quarantined: processing failed; the reason is kept, everything it wrote is rolled back, and
  `retry` runs it again after a fix.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import OWNER_ROLES
from caseflow.cases import config
from caseflow.cases.models import Case, CaseStatus, TimelineEvent
from caseflow.cases.services import Upload, record_event
from caseflow.channels import acknowledgements, senders
from caseflow.channels.inbound import links, quoting, threads
from caseflow.channels.inbound.html import SANITISER
from caseflow.channels.inbound.parse import MAX_LIST, Address, ParsedMail, parse
from caseflow.channels.inbound.store import read_raw, store_raw
from caseflow.channels.language import guess_language
from caseflow.channels.models import InboundMessage, InboundStatus, Mailbox
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

logger = logging.getLogger(__name__)

TEXT_LIMIT = 100000  # what a timeline event holds; the raw message keeps the rest
SYMPTOM_LIMIT = 20000
DATE_TRUST = timedelta(days=30)  # a Date header further from our receipt is not believed
RETRYABLE = (InboundStatus.RECEIVED, InboundStatus.QUARANTINED)
OWN_ADDRESSES_TTL = 60.0


def receive(mailbox: Mailbox, raw: bytes, *, source: str) -> InboundMessage:
    """Take one delivery: store the raw bytes (committed), then process them.

    Returns the row in its final state. Raises only when storage or the database is down:
    before the row was stored, nothing was kept and the sender must deliver again; after it
    (the outcome could not be written), the row stays "received" for `process_stuck_mail`,
    and a re-delivery meanwhile is processed normally (the stuck row then is its duplicate).
    Must not run inside a transaction (the raw row has to be committed on its own).
    """
    inbound = store_raw(mailbox, raw, source=source)
    return process(inbound, raw=raw)  # the bytes in hand: no second copy read from storage


def retry(
    inbound: InboundMessage, *, actor: User | None = None, channel: str = Channel.SYSTEM
) -> InboundMessage:
    """Process a quarantined (or never processed) delivery again, after a fix. Who asked
    for it, and what came of it, goes into the message's audit chain (the processing keeps
    its own transactions, so this entry follows them)."""
    if inbound.status not in RETRYABLE:
        raise DomainError(
            _("Only quarantined or unprocessed messages can be retried; this one is %(s)s.")
            % {"s": inbound.get_status_display()},
            field="status",
            code="not_retryable",
        )
    before = {"status": inbound.status, "reason": inbound.reason}
    done = process(inbound)
    with transaction.atomic():
        audit(
            actor=actor,
            channel=channel,
            action="inbound.retried",
            target=done,
            before=before,
            after={"status": done.status, "reason": done.reason, "case": done.case_id},
        )
    return done


def process(inbound: InboundMessage, *, raw: bytes | None = None) -> InboundMessage:
    """Turn a stored delivery into an event, a new case, a duplicate, an ignored or a
    quarantined row. Never raises for the message's sake: a failure is a quarantine reason.
    `raw`: the delivery's bytes when the caller holds them (else read from storage)."""
    mail: ParsedMail | None = None
    try:
        # Parsed before the transaction, which then holds no lock while a big message is read
        # (the few re-deliveries are parsed in vain; asking first would cost every message).
        mail = parse(read_raw(inbound) if raw is None else raw)
        try:
            with transaction.atomic():
                done = _process(inbound, mail, careful=False)
        except _ContentClaimed:  # a re-delivery, or a race: again, the careful way
            with transaction.atomic():
                done = _process(inbound, mail, careful=True)
    except Exception as exc:
        logger.warning("mail %s quarantined: %s", inbound.pk, exc, exc_info=True)
        _quarantine(inbound, exc, mail)
        done = None
    if done is None:  # quarantined, or another worker had processed it: read what it is now
        inbound.refresh_from_db()
        return inbound
    return done


# --- the steps ----------------------------------------------------------------------------


def _process(
    inbound: InboundMessage, mail: ParsedMail | None, *, careful: bool
) -> InboundMessage | None:
    """The row in its final state (None if another worker processed it first)."""
    claim = _claim(inbound) if careful else _claim_at_once(inbound)
    if claim is TAKEN:
        return None
    if isinstance(claim, InboundMessage):
        return _finish(
            inbound,
            InboundStatus.DUPLICATE,
            duplicate_of=claim,
            case_id=claim.case_id,
            reason=_("same bytes as message %(id)s") % {"id": claim.pk},
            sender=claim.sender,
            subject=claim.subject,
            is_automatic=claim.is_automatic,
        )
    if mail is None:
        mail = parse(read_raw(inbound))
    headers = _header_copies(mail)
    automatic = mail.automatic
    case = threads.case_for(mail)
    follows_up = None
    if case is not None and case.status == CaseStatus.CLOSED:
        follows_up, case = case, None  # a closed case stays closed: the answer opens a new one
    if case is None:
        automatic = automatic or _from_ourselves(mail)
    headers["is_automatic"] = bool(automatic)
    if case is None and automatic:
        return _finish(
            inbound,
            InboundStatus.IGNORED,
            reason=_("automatic mail (%(why)s) that belongs to no case") % {"why": automatic},
            **headers,
        )
    when = _received_at(mail, inbound)
    mailbox = inbound.mailbox
    if case is None:
        mailbox = _with_owner_and_team(mailbox)
        case = _open_case(mail, mailbox, when)
    event = _record(inbound, mail, case, when, automatic=automatic, follows_up=follows_up)
    return _finish(inbound, InboundStatus.PROCESSED, case=case, event=event, **headers)


def _with_owner_and_team(mailbox: Mailbox) -> Mailbox:
    """The mailbox with its owner and team loaded (as the caller did, or with one query)."""
    loaded = all(
        getattr(mailbox, f"{name}_id") is None or field.is_cached(mailbox)
        for name, field in (("owner", Mailbox.owner.field), ("team", Mailbox.team.field))
    )
    if loaded:
        return mailbox
    return Mailbox.objects.select_related("owner", "team").get(pk=mailbox.pk)


TAKEN = object()  # another worker processed this very row meanwhile


class _ContentClaimed(Exception):
    """Another delivery holds the claim on these bytes (raised out of the transaction)."""


def _claim_at_once(inbound: InboundMessage) -> object:
    """The claim without a savepoint (two round trips fewer for every new message): if the
    bytes are claimed already, the unique constraint fails the transaction, and `process`
    runs again with `_claim`."""
    try:
        claimed = InboundMessage.objects.filter(pk=inbound.pk, status__in=RETRYABLE).update(
            is_original=True
        )
    except IntegrityError as exc:
        raise _ContentClaimed from exc
    return None if claimed else TAKEN


def _claim(inbound: InboundMessage) -> object:
    """Make this delivery the one processed for its bytes.

    The UPDATE also locks the row (a retry racing the periodic task: the second waits, then
    finds the row processed and gets TAKEN). If another delivery of the same bytes holds the
    claim (or is being processed right now: the unique index makes us wait for its outcome),
    return that one. None: go ahead.
    """
    try:
        with transaction.atomic():
            claimed = InboundMessage.objects.filter(pk=inbound.pk, status__in=RETRYABLE).update(
                is_original=True
            )
    except IntegrityError:
        return (
            InboundMessage.objects.filter(sha256=inbound.sha256, is_original=True)
            .exclude(pk=inbound.pk)
            .get()
        )
    return None if claimed else TAKEN


_own_addresses: tuple[float, frozenset[str]] = (0.0, frozenset())


def _from_ourselves(mail: ParsedMail) -> str:
    """A message sent from one of our own mailboxes is a loop, never a customer. (The
    addresses are read once a minute per process: mailboxes change rarely.)"""
    global _own_addresses
    if mail.sender is None or "@" not in mail.sender.email:
        return ""
    read_at, addresses = _own_addresses
    if time.monotonic() - read_at > OWN_ADDRESSES_TTL:
        addresses = frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
        _own_addresses = (time.monotonic(), addresses)
    if mail.sender.email.lower() in addresses:
        return _("sent from our own address")
    return ""


def forget_own_addresses(**_kwargs: Any) -> None:
    """Read the mailboxes' addresses again on the next message (a mailbox was saved)."""
    global _own_addresses
    _own_addresses = (0.0, frozenset())


post_save.connect(forget_own_addresses, sender=Mailbox, dispatch_uid="inbound.own_addresses")
post_delete.connect(forget_own_addresses, sender=Mailbox, dispatch_uid="inbound.own_addresses")


def _received_at(mail: ParsedMail, inbound: InboundMessage) -> datetime:
    """When the customer wrote: the Date header when it is plausible, else our receipt."""
    arrived = inbound.received_at
    if mail.date is not None and arrived - DATE_TRUST <= mail.date <= arrived:
        return mail.date
    return arrived


def _open_case(mail: ParsedMail, mailbox: Mailbox, when: datetime) -> Case:
    text = f"{mail.subject}\n{mail.text}"
    order = links.order_in(text)
    if order is not None and order.customer.archived_at is not None:
        order = None
    unit = links.unit_in(text)
    owner = mailbox.owner
    if owner is not None and (not owner.is_active or owner.role not in OWNER_ROLES):
        owner = None  # a departed channel owner must not stop the intake; the team takes it
    sender = mail.sender or Address("", "")
    # Automatic mail opens no case (`_process`), so a new case may always be acknowledged.
    address = (mail.reply_to or sender).email
    return senders.open_case(
        channel=Channel.EMAIL,
        subject=mail.subject,
        name=sender.name,
        email=sender.email if "@" in sender.email else "",
        symptom=quoting.new_text(mail.text)[:SYMPTOM_LIMIT],
        language=guess_language(text, mailbox.language),
        unit=unit,
        sales_order=order,
        received_at=when,
        owner=owner,
        team=mailbox.team,
        origin=acknowledgements.origin(
            address=address,
            acknowledge=mailbox.acknowledge and "@" in address,
            mailbox=mailbox.pk,
            message_id=mail.message_id,
        ),
    )


def _record(
    inbound: InboundMessage,
    mail: ParsedMail,
    case: Case,
    when: datetime,
    *,
    automatic: str,
    follows_up: Case | None,
) -> TimelineEvent:
    text = mail.text
    truncated = len(text) > TEXT_LIMIT
    if truncated:
        text = text[: TEXT_LIMIT - 100].rstrip() + "\n\n" + _("[… cut here; see the raw message]")
    if not text.strip() and not mail.files:
        text = mail.subject or _("(empty message)")
    details: dict[str, Any] = {
        "inbound": inbound.pk,
        "from": mail.sender.as_dict() if mail.sender else None,
        "reply_to": mail.reply_to.as_dict() if mail.reply_to else None,
        "to": [a.as_dict() for a in mail.to[:MAX_LIST]],
        "cc": [a.as_dict() for a in mail.cc[:MAX_LIST]],
        "subject": mail.subject,
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
    }
    if len(mail.to) > MAX_LIST or len(mail.cc) > MAX_LIST:
        details["recipients"] = len(mail.to) + len(mail.cc)
    if mail.html:  # sanitised once, here; the timeline shows it as it is (SANITISER marks it)
        details["html"] = mail.html
        details["html_sanitiser"] = SANITISER
    if automatic:
        details["automatic"] = automatic
    if mail.skipped:
        details["skipped"] = mail.skipped
    if mail.parts_too_deep:  # the timeline says so
        details["parts_too_deep"] = mail.parts_too_deep
    if mail.parts_too_many:
        details["parts_too_many"] = mail.parts_too_many
    if mail.notes:
        details["notes"] = mail.notes[:10]
    if truncated:
        details["text_truncated"] = True
    if follows_up is not None:
        details["follows_up"] = follows_up.number
    return record_event(
        actor=None,
        channel=Channel.EMAIL,
        case=case,
        event_type=config.event_type("email_in"),
        text=text,
        occurred_at=when,
        is_internal=False,
        data=details,
        uploads=[Upload(name=f.filename, content=f.content) for f in mail.files],
    )


def _header_copies(mail: ParsedMail | None) -> dict[str, Any]:
    if mail is None:
        return {}
    sender = mail.sender.email if mail.sender else ""
    return {
        "sender": sender[:254],
        "subject": mail.subject[:300],
        "is_automatic": bool(mail.automatic),
    }


def _finish(inbound: InboundMessage, status: str, **fields: Any) -> InboundMessage:
    """Write the outcome on the delivery; return it as it now is."""
    fields.setdefault("reason", "")
    fields |= {"status": status, "processed_at": timezone.now()}
    InboundMessage.objects.filter(pk=inbound.pk).update(attempts=F("attempts") + 1, **fields)
    for name, value in fields.items():
        setattr(inbound, name, value)
    inbound.attempts += 1
    return inbound


def _quarantine(inbound: InboundMessage, exc: BaseException, mail: ParsedMail | None) -> None:
    reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    headers: dict[str, Any] = {}
    with contextlib.suppress(Exception):  # the reason matters more than the copies
        headers = _header_copies(mail)
    InboundMessage.objects.filter(pk=inbound.pk).update(
        status=InboundStatus.QUARANTINED,
        reason=reason[:2000],
        attempts=F("attempts") + 1,
        processed_at=None,
        case=None,
        event=None,
        duplicate_of=None,
        **headers,
    )
