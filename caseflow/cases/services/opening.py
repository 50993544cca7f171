"""Opening a case: the suggested case type and `open_case`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import require
from caseflow.cases import config, events, search
from caseflow.cases.integrity import OPENED_FIELDS, recorded
from caseflow.cases.models import (
    CASE_CHANNELS,
    Case,
    CaseType,
    Code,
    CodeKind,
    Priority,
    TimelineEvent,
)
from caseflow.cases.numbers import next_case_number
from caseflow.cases.services._checks import (
    CLOCK_SKEW,
    TEXT_LIMITS,
    _check_case_type,
    _check_codes,
    _check_links,
    _check_owner,
    _may_assign,
    _validate_text,
)
from caseflow.cases.services._steps import RELATIONS, _system_event
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.catalog.selectors import is_covered
from caseflow.core import rows
from caseflow.core.audit import audit, snapshot
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate
from caseflow.customers.models import Contact, Customer


def suggest_case_type(unit: Unit | None, on: date) -> str:
    """Warranty when the unit is in warranty or under a service contract on `on`, else
    billable. Courtesy is a decision, never a suggestion (source 004)."""
    if unit is None:
        return CaseType.BILLABLE
    return CaseType.WARRANTY if is_covered(unit, on) else CaseType.BILLABLE


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
    _check_arrival(channel, customer)
    subject, symptom = _check_texts(subject, symptom)
    received_at = _check_received(received_at)
    if owner is not None and owner != actor:
        _may_assign(actor, owner)
    _check_owner(owner)
    product = _check_links(customer, contact, unit, product, sales_order)
    _check_codes(CodeKind.REASON, reason_general, reason_specific, "reason")
    priority = _priority(priority)
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
    event = _insert(case, actor=actor, channel=channel)
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


def _check_arrival(channel: str, customer: Customer) -> None:
    """A channel cases come in by, and a customer who is not archived."""
    if channel not in CASE_CHANNELS:
        raise DomainError(
            _("A case comes in by phone, e-mail, web, counter or SMS."), field="channel"
        )
    if customer.archived_at is not None:
        raise DomainError(
            _("This customer is archived; restore it first."), field="customer_id", code="archived"
        )


def _check_texts(subject: str, symptom: str) -> tuple[str, str]:
    """The subject and the symptom, trimmed: a subject, a symptom within its limit."""
    subject = subject.strip()
    symptom = _validate_text(symptom.strip(), "symptom", TEXT_LIMITS["symptom"])
    if not subject:
        raise DomainError(_("Say in a few words what the case is about."), field="subject")
    return subject, symptom


def _check_received(received_at: datetime | None) -> datetime:
    """When the case came in: now, or a moment that is not in the future."""
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + CLOCK_SKEW:
        raise DomainError(_("A case cannot be received in the future."), field="received_at")
    return received_at


def _priority(priority: Priority | None) -> Priority:
    """The priority given (still in use), or the configured default."""
    if priority is None:
        priority = config.default_priority()
        if priority is None:
            raise DomainError(_("No default priority is configured."), field="priority")
    elif not priority.active:
        raise DomainError(_("This priority is no longer in use."), field="priority")
    return priority


def _insert(case: Case, *, actor: User | None, channel: str) -> TimelineEvent:
    """Number and insert the case, and write its first timeline entry.

    The number is taken as late as possible: its row lock is held until COMMIT and
    serialises every case creation. Not later than the INSERT, though: numbering the row
    afterwards rewrote it (the number is indexed, so every index of the table got a second
    entry and the table a dead row per case). What does not need the number is written
    before it: where the database hands out the case's key in advance (PostgreSQL), that
    is the first timeline entry."""
    case.pk = rows.reserve_pk(Case)
    if case.pk is not None:
        event = _created(case, actor=actor, channel=channel)
        case.number = next_case_number()
        rows.insert(case)
        return event
    case.number = next_case_number()
    rows.insert(case)
    return _created(case, actor=actor, channel=channel)


def _created(case: Case, *, actor: User | None, channel: str) -> TimelineEvent:
    return _system_event(case, "created", actor=actor, channel=channel, case_type=case.case_type)
