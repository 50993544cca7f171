"""Changing a case's details (`update_case`) and its customer (`move_case`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import events, search
from caseflow.cases import status as rules
from caseflow.cases.integrity import recorded
from caseflow.cases.models import Case, CodeKind
from caseflow.cases.services._checks import (
    TEXT_LIMITS,
    _check_case_type,
    _check_codes,
    _check_links,
    _validate_text,
)
from caseflow.cases.services._steps import RELATIONS, _bump, _lock, _system_event
from caseflow.cases.services.opening import suggest_case_type
from caseflow.core.audit import audit, snapshot
from caseflow.core.editing import Edit, refuse_unknown
from caseflow.core.errors import DomainError
from caseflow.customers.models import Contact, Customer

# Fields `update_case` may change, and how they appear in the audit trail.
EDITABLE_FIELDS = (
    "subject", "symptom", "diagnosis", "solution", "promised_by", "priority", "case_type",
    "case_type_reason", "contact", "unit", "product", "sales_order",
    "reason_general", "reason_specific",
)  # fmt: skip


@transaction.atomic
def update_case(
    *, actor: User | None, channel: str, case: Case, version: int, **changes: Any
) -> Case:
    """Change the case's details (symptom, diagnosis, solution, type, codes, links …).

    The steps of `core.editing` (lock, set, diff, save what changed, audit); between them
    the case's own rules: text limits, links, the case type that follows the unit, codes."""
    require(actor, "case.update")
    refuse_unknown(changes, EDITABLE_FIELDS)
    case = _lock(case, version)
    rules.refuse_closed(case)
    edit = Edit(case, (*EDITABLE_FIELDS, "suggested_case_type"))
    edit.set({name: _trimmed(value) for name, value in changes.items()})
    asked = set(edit.diff())
    if not asked:
        return case
    _check_texts(case, asked)
    _follow_links(case, asked, edit.before, type_given="case_type" in changes)
    _check_choices(actor, case, asked)
    changed = edit.diff()
    edit.write(exclude=RELATIONS, full=False, only_changed=True)
    event = _system_event(case, "field_changed", actor=actor, channel=channel, fields=changed)
    if search.INDEXED_FIELDS & set(changed):
        search.index_case(case)
    edit.record(actor=actor, channel=channel, action="case.updated", after=recorded(event))
    events.publish(events.CHANGED, case, actor=actor, channel=channel, fields=changed)
    return case


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check_texts(case: Case, changed: set[str]) -> None:
    """The changed texts within their limits, and a subject left."""
    for name, limit in TEXT_LIMITS.items():
        if name in changed:
            _validate_text(getattr(case, name), name, limit)
    if "subject" in changed and not case.subject:
        raise DomainError(_("Say in a few words what the case is about."), field="subject")


def _follow_links(
    case: Case, changed: set[str], before: dict[str, Any], *, type_given: bool
) -> None:
    """Contact and order still the customer's, the product the unit's; a new unit brings a
    new suggested case type, which the case type follows unless it was overridden before
    (or is given now)."""
    if {"unit", "product", "contact", "sales_order"} & changed:
        product = _check_links(
            case.customer, case.contact, case.unit, case.product, case.sales_order
        )
        if product != case.product:
            case.product = product
    if "unit" in changed:
        followed_suggestion = before["case_type"] == before["suggested_case_type"]
        case.suggested_case_type = suggest_case_type(
            case.unit, timezone.localdate(case.received_at)
        )
        if followed_suggestion and not type_given:
            case.case_type = case.suggested_case_type


def _check_choices(actor: User | None, case: Case, changed: set[str]) -> None:
    """The case type (and its reason), the reason codes and the priority, where changed."""
    if {"case_type", "case_type_reason", "unit"} & changed:
        _check_case_type(actor, case.case_type, case.suggested_case_type, case.case_type_reason)
        if case.case_type == case.suggested_case_type and case.case_type_reason:
            case.case_type_reason = ""
    if {"reason_general", "reason_specific"} & changed:
        _check_codes(CodeKind.REASON, case.reason_general, case.reason_specific, "reason")
    if "priority" in changed and not case.priority.active:
        raise DomainError(_("This priority is no longer in use."), field="priority")


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
    rules.refuse_closed(case)
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
