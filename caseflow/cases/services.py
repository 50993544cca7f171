"""Every change to a case: one function per business action.

Each public function checks the actor's role, validates before it writes, writes the change,
its timeline event and its audit entry in one transaction, and bumps `Case.version` so a
stale writer is refused (`Conflict`) instead of silently overwriting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import OWNER_ROLES, can, require
from caseflow.cases import config, events, search
from caseflow.cases.integrity import OPENED_FIELDS, recorded
from caseflow.cases.models import (
    CASE_CHANNELS,
    TRANSITIONS,
    Attachment,
    CallOutcome,
    Case,
    CaseStatus,
    CaseType,
    Code,
    CodeKind,
    EventCategory,
    EventType,
    Priority,
    SupplyLine,
    TimelineEvent,
)
from caseflow.cases.numbers import next_case_number
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.catalog.selectors import is_covered
from caseflow.core import rows
from caseflow.core.audit import audit, snapshot, stale_conflict
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.files import StoredFile, store_upload
from caseflow.core.validation import raise_first, validate
from caseflow.customers.models import Contact, Customer

# Fields `update_case` may change, and how they appear in the audit trail.
EDITABLE_FIELDS = (
    "subject", "symptom", "diagnosis", "solution", "promised_by", "priority", "case_type",
    "case_type_reason", "contact", "unit", "product", "sales_order",
    "reason_general", "reason_specific",
)  # fmt: skip
CLOCK_SKEW = timedelta(minutes=5)
# Text columns have no length in the database; these limits keep a case readable.
TEXT_LIMITS = {"symptom": 20000, "diagnosis": 20000, "solution": 20000}


@dataclass(frozen=True)
class Upload:
    """A file as it arrived (API, form or e-mail), before it is checked and stored."""

    name: str | None
    content: bytes


# --- helpers ------------------------------------------------------------------------------


def _lock(case: Case, version: int | None) -> Case:
    """Re-read `case` under a row lock; refuse if the caller read an older version."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if version is not None and version != locked.version:
        raise stale_conflict(locked, label=_("Case %(number)s") % {"number": locked.number})
    return locked


RELATIONS = tuple(f.name for f in Case._meta.fields if f.is_relation)


def _bump(case: Case, fields: Sequence[str]) -> None:
    """Save `fields` and the next version. Field rules are checked here (relations were
    checked by the caller, as model instances); the database holds the CHECK constraints."""
    case.version += 1
    case.clean_fields(exclude=RELATIONS)
    case.save(update_fields=[*fields, "version", "updated_at"])


def _system_event(
    case: Case, code: str, *, actor: User | None, channel: str, text: str = "", **data: Any
) -> TimelineEvent:
    event = TimelineEvent(
        case=case,
        event_type_id=config.event_type_id(code),
        occurred_at=timezone.now(),
        actor=actor,
        channel=channel,
        text=text,
        is_internal=True,
        data=data,
    )
    rows.insert(event)  # append-only, nobody listens for its save: one plain INSERT
    search.index_event_text(case, text)
    return event


def record_system_event(
    *, case: Case, event_type: str, actor: User | None, channel: str, text: str = "", **data: Any
) -> TimelineEvent:
    """Write a system entry of another app on the case's timeline (e.g. workflow's "response
    target missed"), inside the caller's transaction.

    `event_type` is a system type the app registered (a row with `is_system`, shipped by
    its migration; its summary for readers through the ui registry). The case is locked,
    so entries and other changes of one case are written one after the other; the entry is
    recorded in the case's audit chain. Subscribers hear of it as EVENT_RECORDED."""
    _check_channel(channel)
    if not _active_event_type(event_type).is_system:
        raise DomainError(_("Unknown event type."), field="event_type", code="unknown")
    with transaction.atomic():
        case = _lock(case, None)
        event = _system_event(case, event_type, actor=actor, channel=channel, text=text, **data)
        audit(  # the chain records every timeline entry (verify_audit's drift check)
            actor=actor,
            channel=channel,
            action="case.system_event",
            target=event,
            aggregate=case,
            after={"event_type": event_type, **recorded(event)},
        )
        events.publish(
            events.EVENT_RECORDED, case, actor=actor, channel=channel, event=event.pk,
            type=event_type, internal=True,
        )  # fmt: skip
    return event


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


def suggest_case_type(unit: Unit | None, on: date) -> str:
    """Warranty when the unit is in warranty or under a service contract on `on`, else
    billable. Courtesy is a decision, never a suggestion (source 004)."""
    if unit is None:
        return CaseType.BILLABLE
    return CaseType.WARRANTY if is_covered(unit, on) else CaseType.BILLABLE


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


def _not_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            _("Case %(number)s is closed; reopen it first.") % {"number": case.number},
            field="status",
            code="case_closed",
        )


def _validate_text(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise DomainError(
            _("%(field)s is too long (%(length)s characters; at most %(limit)s).")
            % {"field": field, "length": len(value), "limit": limit},
            field=field,
            code="too_long",
        )
    return value


# --- opening ------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    subject: str,
    symptom: str = "",
    contact: Contact | None = None,
    unit: Unit | None = None,
    product: Product | None = None,
    sales_order: SalesOrder | None = None,
    case_type: str | None = None,
    case_type_reason: str = "",
    priority: Priority | None = None,
    reason_general: Code | None = None,
    reason_specific: Code | None = None,
    owner: User | None = None,
    team: Team | None = None,
    received_at: datetime | None = None,
    promised_by: date | None = None,
    origin: dict[str, Any] | None = None,
) -> Case:
    """Open a case for `customer`: number, suggested case type, first timeline event, audit.

    `origin`: what the opening channel knows about where the case came from (plain values:
    the address to answer, the language, the mailbox, the Message-ID …), handed to the
    OPENED event's subscribers as its data (the channels acknowledge from it)."""
    require(actor, "case.create")
    if channel not in CASE_CHANNELS:
        raise DomainError(
            _("A case comes in by phone, e-mail, web, counter or SMS."), field="channel"
        )
    if customer.archived_at is not None:
        raise DomainError(
            _("This customer is archived; restore it first."), field="customer_id", code="archived"
        )
    subject = subject.strip()
    symptom = _validate_text(symptom.strip(), "symptom", TEXT_LIMITS["symptom"])
    if not subject:
        raise DomainError(_("Say in a few words what the case is about."), field="subject")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + CLOCK_SKEW:
        raise DomainError(_("A case cannot be received in the future."), field="received_at")
    if owner is not None and owner != actor:
        _may_assign(actor, owner)
    _check_owner(owner)
    product = _check_links(customer, contact, unit, product, sales_order)
    _check_codes(CodeKind.REASON, reason_general, reason_specific, "reason")
    if priority is None:
        priority = config.default_priority()
        if priority is None:
            raise DomainError(_("No default priority is configured."), field="priority")
    elif not priority.active:
        raise DomainError(_("This priority is no longer in use."), field="priority")
    suggested = suggest_case_type(unit, timezone.localdate(received_at))
    case_type = case_type or suggested
    _check_case_type(actor, case_type, suggested, case_type_reason)

    case = Case(
        channel=channel,
        customer=customer,
        contact=contact,
        unit=unit,
        product=product,
        sales_order=sales_order,
        subject=subject,
        symptom=symptom,
        case_type=case_type,
        suggested_case_type=suggested,
        case_type_reason=case_type_reason.strip() if case_type != suggested else "",
        priority=priority,
        reason_general=reason_general,
        reason_specific=reason_specific,
        owner=owner,
        team=team,
        received_at=received_at,
        promised_by=promised_by,
    )
    # The CHECK constraints hold by construction here and in the database; validating
    # them in Python would cost a query each.
    validate(case, exclude=("number", *RELATIONS), constraints=False)
    # The number is taken as late as possible: its row lock is held until COMMIT and
    # serialises every case creation. Not later than the INSERT, though: numbering the row
    # afterwards rewrote it (the number is indexed, so every index of the table got a
    # second entry and the table a dead row per case). What does not need the number is
    # written before it: where the database hands out the case's key in advance
    # (PostgreSQL), that is the first timeline event.
    case.pk = rows.reserve_pk(Case)
    event_first = case.pk is not None
    if event_first:
        event = _system_event(case, "created", actor=actor, channel=channel, case_type=case_type)
    case.number = next_case_number()
    rows.insert(case)
    if not event_first:
        event = _system_event(case, "created", actor=actor, channel=channel, case_type=case_type)
    search.index_case(case)
    audit(
        actor=actor,
        channel=channel,
        action="case.opened",
        target=case,
        new_chain=True,
        after={**snapshot(case, OPENED_FIELDS), **recorded(event)},
    )
    events.publish(events.OPENED, case, actor=actor, channel=channel, **(origin or {}))
    return case


# --- editing ------------------------------------------------------------------------------


@transaction.atomic
def update_case(
    *, actor: User | None, channel: str, case: Case, version: int, **changes: Any
) -> Case:
    """Change the case's details (symptom, diagnosis, solution, type, codes, links …)."""
    require(actor, "case.update")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("%(field)s cannot be changed here.") % {"field": sorted(unknown)[0]},
            field=sorted(unknown)[0],
        )
    case = _lock(case, version)
    _not_closed(case)
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    if not changed:
        return case
    before = snapshot(case, (*EDITABLE_FIELDS, "suggested_case_type"))
    for name in changed:
        value = changes[name]
        if isinstance(value, str):
            value = value.strip()
            if name in TEXT_LIMITS:
                _validate_text(value, name, TEXT_LIMITS[name])
        setattr(case, name, value)
    if "subject" in changed and not case.subject:
        raise DomainError(_("Say in a few words what the case is about."), field="subject")
    if {"unit", "product", "contact", "sales_order"} & set(changed):
        product = _check_links(
            case.customer, case.contact, case.unit, case.product, case.sales_order
        )
        if product != case.product:
            case.product = product
            changed.append("product")
    if "unit" in changed:
        followed_suggestion = before["case_type"] == before["suggested_case_type"]
        case.suggested_case_type = suggest_case_type(
            case.unit, timezone.localdate(case.received_at)
        )
        changed.append("suggested_case_type")
        if followed_suggestion and "case_type" not in changes:
            # Not overridden before: the type follows the new suggestion.
            case.case_type = case.suggested_case_type
            changed.append("case_type")
    if {"case_type", "case_type_reason", "unit"} & set(changed):
        _check_case_type(actor, case.case_type, case.suggested_case_type, case.case_type_reason)
        if case.case_type == case.suggested_case_type and case.case_type_reason:
            case.case_type_reason = ""
            changed.append("case_type_reason")
    if {"reason_general", "reason_specific"} & set(changed):
        _check_codes(CodeKind.REASON, case.reason_general, case.reason_specific, "reason")
    if "priority" in changed and not case.priority.active:
        raise DomainError(_("This priority is no longer in use."), field="priority")
    changed = list(dict.fromkeys(changed))
    try:
        _bump(case, changed)
    except ValidationError as exc:
        raise_first(exc)
    before = {name: before[name] for name in changed}
    after = snapshot(case, changed)
    event = _system_event(case, "field_changed", actor=actor, channel=channel, fields=changed)
    if search.INDEXED_FIELDS & set(changed):
        search.index_case(case)
    audit(
        actor=actor,
        channel=channel,
        action="case.updated",
        target=case,
        before=before,
        after={**after, **recorded(event)},
    )
    events.publish(events.CHANGED, case, actor=actor, channel=channel, fields=changed)
    return case


@transaction.atomic
def move_case(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    customer: Customer,
    contact: Contact | None = None,
    version: int | None = None,
) -> Case:
    """Give the case to another customer (and contact): a message from an unknown sender
    turned out to be a customer's. The case's order must allow it; the unit is kept."""
    require(actor, "case.update")
    case = _lock(case, version)
    _not_closed(case)
    if customer.archived_at is not None:
        raise DomainError(
            _("This customer is archived; restore it first."), field="customer_id", code="archived"
        )
    before = snapshot(case, ("customer", "contact"))
    _check_links(customer, contact, case.unit, case.product, case.sales_order)
    case.customer, case.contact = customer, contact
    _bump(case, ("customer", "contact"))
    event = _system_event(
        case, "field_changed", actor=actor, channel=channel, fields=["customer", "contact"]
    )
    search.index_case(case)  # the document is stemmed in the customer's language
    audit(
        actor=actor,
        channel=channel,
        action="case.moved",
        target=case,
        before=before,
        after={**snapshot(case, ("customer", "contact")), **recorded(event)},
    )
    events.publish(
        events.CHANGED, case, actor=actor, channel=channel, fields=["customer", "contact"]
    )
    return case


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    status: str,
    version: int | None = None,
    note: str = "",
) -> Case:
    """Move the case between new, open and the waiting states (resolve, close and reopen
    have their own services, because they need codes or a reason)."""
    require(actor, "case.status")
    if status not in CaseStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or status == CaseStatus.NEW:
        raise DomainError(
            _("Use resolve, close or reopen for this status change."),
            field="status",
            code="illegal_transition",
        )
    case = _lock(case, version)
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise DomainError(
            _("A %(status)s case is reopened, not moved to %(to)s.")
            % {"status": case.get_status_display(), "to": CaseStatus(status).label},
            field="status",
            code="illegal_transition",
        )
    return _transition(case, status, actor=actor, channel=channel, note=note)


def _transition(case: Case, status: str, *, actor: User | None, channel: str, note: str) -> Case:
    if status == case.status:
        return case
    if status not in TRANSITIONS[case.status]:
        raise DomainError(
            _("A case cannot go from %(from)s to %(to)s.")
            % {"from": case.get_status_display(), "to": CaseStatus(status).label},
            field="status",
            code="illegal_transition",
        )
    before = case.status
    case.status = status
    _bump(case, ["status"])
    event = _system_event(
        case, "status_changed", actor=actor, channel=channel, text=note, before=before, after=status
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.status_changed",
        target=case,
        before={"status": before},
        after={"status": status, **recorded(event)},
    )
    events.publish(
        events.STATUS_CHANGED, case, actor=actor, channel=channel, before=before, after=status
    )
    return case


@transaction.atomic
def assign_case(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    owner: User | None,
    team: Team | None = None,
    version: int | None = None,
) -> Case:
    """Give the case to `owner` (and/or `team`). Anyone working cases may take one himself."""
    if owner is None or actor is None or owner.pk != actor.pk:
        _may_assign(actor, owner)
    else:
        require(actor, "case.update")
    _check_owner(owner)
    if team is not None and team.archived_at is not None:
        raise DomainError(_("This team is archived."), field="team_id")
    case = _lock(case, version)
    _not_closed(case)
    before: dict[str, int | None] = {"owner": case.owner_id, "team": case.team_id}
    after: dict[str, int | None] = {
        "owner": owner.pk if owner else None,
        "team": team.pk if team else case.team_id,
    }
    if before == after:
        return case
    case.owner = owner
    if team is not None:
        case.team = team
    _bump(case, ["owner", "team"])
    event = _system_event(
        case, "assigned", actor=actor, channel=channel, owner=after["owner"], team=after["team"]
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.assigned",
        target=case,
        before=before,
        after={**after, **recorded(event)},
    )
    events.publish(events.ASSIGNED, case, actor=actor, channel=channel, **after)
    return case


# --- timeline -----------------------------------------------------------------------------


def record_event(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    event_type: EventType | str,
    text: str = "",
    occurred_at: datetime | None = None,
    is_internal: bool = True,
    call_duration: int | None = None,
    call_outcome: str = "",
    data: dict[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
) -> TimelineEvent:
    """Add a call, e-mail, SMS, note or scheduling entry (with files) to the timeline.

    Files are checked and stored before the transaction (content-addressed, so a rollback
    leaves no row without its file); the event and its attachment rows are written atomically.
    """
    require(actor, "case.event")
    _check_channel(channel)
    if isinstance(event_type, str):
        event_type = _active_event_type(event_type)
    if event_type.is_system or not event_type.active:
        raise DomainError(
            _("%(type)s entries are written by Caseflow itself.") % {"type": event_type.name},
            field="event_type",
        )
    text = _validate_text(text.strip(), "text", 100000)
    is_call = event_type.category == EventCategory.CALL
    if not is_call and (call_duration is not None or call_outcome):
        raise DomainError(_("Only calls have a duration and an outcome."), field="call_duration")
    if call_duration is not None and not 0 <= call_duration <= 24 * 3600:
        raise DomainError(_("A call lasts between 0 seconds and a day."), field="call_duration")
    if call_outcome and call_outcome not in CallOutcome.values:
        raise DomainError(_("Unknown call outcome."), field="call_outcome")
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + CLOCK_SKEW:
        raise DomainError(_("An event cannot happen in the future."), field="occurred_at")
    if not text and not uploads and not is_call:
        raise DomainError(_("Write something or attach a file."), field="text")
    stored = [store_upload(u.content, u.name, field="files") for u in uploads]
    return _write_event(
        actor=actor,
        channel=channel,
        case=case,
        event_type=event_type,
        text=text,
        occurred_at=occurred_at,
        is_internal=is_internal,
        call_duration=call_duration,
        call_outcome=call_outcome,
        data=data or {},
        stored=stored,
    )


@transaction.atomic
def _write_event(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    event_type: EventType,
    text: str,
    occurred_at: datetime,
    is_internal: bool,
    call_duration: int | None,
    call_outcome: str,
    data: dict[str, Any],
    stored: Sequence[StoredFile],
) -> TimelineEvent:
    case = _lock(case, None)
    _not_closed(case)
    event = TimelineEvent.objects.create(
        case=case,
        event_type=event_type,
        occurred_at=occurred_at,
        actor=actor,
        channel=channel,
        text=text,
        is_internal=is_internal,
        call_duration=call_duration,
        call_outcome=call_outcome,
        data=data,
    )
    search.index_event_text(case, text)
    for item in stored:
        attachment = Attachment(
            event=event,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        attachment.file.name = item.path
        attachment.save()
    # A contact with the customer moves a new case to open; an answer ends "waiting on customer".
    # What the system writes by itself (the customer's own message at intake, an automatic
    # acknowledgement) leaves a new case new: it still waits for an agent.
    if (case.status == CaseStatus.NEW and actor is not None) or (
        case.status == CaseStatus.WAITING_CUSTOMER
        and event_type.code in ("call_in", "email_in", "sms_in")
    ):
        _transition(case, CaseStatus.OPEN, actor=actor, channel=channel, note="")
    audit(
        actor=actor,
        channel=channel,
        action="case.event_recorded",
        target=event,
        aggregate=case,
        after={
            "event_type": event_type.code,
            "internal": is_internal,
            "text_chars": len(text),
            "call_duration": call_duration,
            "call_outcome": call_outcome,
            "attachments": [{"name": s.filename, "sha256": s.sha256} for s in stored],
            **recorded(event, [(s.filename, s.sha256) for s in stored]),
        },
    )
    events.publish(
        events.EVENT_RECORDED,
        case,
        actor=actor,
        channel=channel,
        event=event.pk,
        type=event_type.code,
        internal=is_internal,
    )
    return event


# --- supplies -----------------------------------------------------------------------------


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
    _not_closed(case)
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
    _not_closed(case)
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


# --- resolving, closing, reopening --------------------------------------------------------


@transaction.atomic
def resolve_case(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    resolution_general: Code | None,
    resolution_specific: Code | None,
    solution: str | None = None,
    reason_general: Code | None = None,
    reason_specific: Code | None = None,
    version: int | None = None,
) -> Case:
    """Resolve with general and specific resolution codes (source 001) and the solution; the
    reason codes too when given (what caused the problem is often known only now), else the
    case keeps its own."""
    require(actor, "case.resolve")
    case = _lock(case, version)
    if resolution_general is None:
        raise DomainError(
            _("Choose a general resolution code."),
            field="resolution_general_id",
            code="code_required",
        )
    _check_codes(CodeKind.RESOLUTION, resolution_general, resolution_specific, "resolution")
    set_reason = reason_general is not None or reason_specific is not None
    if set_reason:
        _check_codes(CodeKind.REASON, reason_general, reason_specific, "reason")
    if resolution_specific is None and resolution_general.children.filter(active=True).exists():
        raise DomainError(
            _("Choose a specific resolution code under %(general)s.")
            % {"general": resolution_general.code},
            field="resolution_specific_id",
            code="code_required",
        )
    if CaseStatus.RESOLVED not in TRANSITIONS[case.status]:
        raise DomainError(
            _("A %(status)s case cannot be resolved.") % {"status": case.get_status_display()},
            field="status",
            code="illegal_transition",
        )
    events.check_guards(events.RESOLVE, case, actor)  # other apps' conditions (quality …)
    fields = ["status", "resolution_general", "resolution_specific", "solution"]
    if set_reason:
        fields += ["reason_general", "reason_specific"]
    before = snapshot(case, fields)
    case.resolution_general = resolution_general
    case.resolution_specific = resolution_specific
    reason: dict[str, Any] = {}
    if set_reason:
        case.reason_general = reason_general
        case.reason_specific = reason_specific
        reason = {
            "reason_general": reason_general.code if reason_general else None,
            "reason_specific": reason_specific.code if reason_specific else None,
        }
    if solution is not None:
        case.solution = _validate_text(solution.strip(), "solution", TEXT_LIMITS["solution"])
    case.status = CaseStatus.RESOLVED
    case.resolved_at = timezone.now()
    _bump(case, ["resolved_at", *fields])
    event = _system_event(
        case,
        "resolved",
        actor=actor,
        channel=channel,
        general=resolution_general.code,
        specific=resolution_specific.code if resolution_specific else None,
        **reason,
    )
    if before["solution"] != case.solution:
        search.index_case(case)
    audit(
        actor=actor,
        channel=channel,
        action="case.resolved",
        target=case,
        before=before,
        after={**snapshot(case, fields), **recorded(event)},
    )
    events.publish(events.RESOLVED, case, actor=actor, channel=channel, fields=fields)
    return case


@transaction.atomic
def close_case(*, actor: User | None, channel: str, case: Case, version: int | None = None) -> Case:
    """Close a resolved case: the customer's problem is solved and approved (source 004)."""
    require(actor, "case.close")
    case = _lock(case, version)
    if case.status != CaseStatus.RESOLVED:
        raise DomainError(
            _("Only a resolved case can be closed; this one is %(status)s.")
            % {"status": case.get_status_display()},
            field="status",
            code="illegal_transition",
        )
    events.check_guards(events.CLOSE, case, actor)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    _bump(case, ["status", "closed_at"])
    event = _system_event(case, "closed", actor=actor, channel=channel)
    audit(
        actor=actor,
        channel=channel,
        action="case.closed",
        target=case,
        before={"status": CaseStatus.RESOLVED},
        after={"status": CaseStatus.CLOSED, **recorded(event)},
    )
    events.publish(events.CLOSED, case, actor=actor, channel=channel)
    return case


@transaction.atomic
def reopen_case(
    *, actor: User | None, channel: str, case: Case, reason: str, version: int | None = None
) -> Case:
    """Reopen a resolved or closed case; the reason goes on the timeline."""
    require(actor, "case.reopen")
    reason = _validate_text(reason.strip(), "reason", 2000)
    if not reason:
        raise DomainError(_("Say why the case is reopened."), field="reason")
    case = _lock(case, version)
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise DomainError(
            _("Only a resolved or closed case can be reopened."),
            field="status",
            code="illegal_transition",
        )
    before = case.status
    case.status = CaseStatus.OPEN
    case.resolved_at = None
    case.closed_at = None
    _bump(case, ["status", "resolved_at", "closed_at"])
    event = _system_event(
        case, "reopened", actor=actor, channel=channel, text=reason, before=before
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.reopened",
        target=case,
        before={"status": before},
        after={"status": CaseStatus.OPEN, "reason": reason, **recorded(event)},
    )
    events.publish(events.REOPENED, case, actor=actor, channel=channel, before=before)
    return case
