"""Changing a case's details (`update_case`) and its customer (`move_case`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import events, search
from caseflow.cases.integrity import recorded
from caseflow.cases.models import Case, CodeKind
from caseflow.cases.services._checks import (
    TEXT_LIMITS,
    _check_case_type,
    _check_codes,
    _check_links,
    _not_closed,
    _validate_text,
)
from caseflow.cases.services._steps import _bump, _lock, _system_event
from caseflow.cases.services.opening import suggest_case_type
from caseflow.core.audit import audit, snapshot
from caseflow.core.errors import DomainError
from caseflow.core.validation import raise_first
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
