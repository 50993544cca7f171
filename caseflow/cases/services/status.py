"""The case's status: moving it between new, open and waiting (`change_status`),
resolving, closing and reopening it.
"""

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
from caseflow.cases.models import Case, CaseStatus, Code, CodeKind
from caseflow.cases.services._checks import TEXT_LIMITS, _check_codes, _validate_text
from caseflow.cases.services._steps import _bump, _lock, _system_event
from caseflow.core.audit import audit, snapshot
from caseflow.core.errors import DomainError


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
    rules.refuse_manual(status)
    case = _lock(case, version)
    rules.refuse_move(case, status)
    return _transition(case, status, actor=actor, channel=channel, note=note)


def _transition(case: Case, status: str, *, actor: User | None, channel: str, note: str) -> Case:
    if status == case.status:
        return case
    rules.refuse_transition(case, status)
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
    resolution_general = _check_resolution(resolution_general, resolution_specific)
    set_reason = reason_general is not None or reason_specific is not None
    if set_reason:
        _check_codes(CodeKind.REASON, reason_general, reason_specific, "reason")
    _check_specific_chosen(resolution_general, resolution_specific)
    rules.refuse_resolve(case)
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


def _check_resolution(general: Code | None, specific: Code | None) -> Code:
    """A general resolution code, and a specific one that belongs to it."""
    if general is None:
        raise DomainError(
            _("Choose a general resolution code."),
            field="resolution_general_id",
            code="code_required",
        )
    _check_codes(CodeKind.RESOLUTION, general, specific, "resolution")
    return general


def _check_specific_chosen(general: Code, specific: Code | None) -> None:
    """A specific resolution code where the general one has any (one query)."""
    if specific is None and general.children.filter(active=True).exists():
        raise DomainError(
            _("Choose a specific resolution code under %(general)s.") % {"general": general.code},
            field="resolution_specific_id",
            code="code_required",
        )


@transaction.atomic
def close_case(*, actor: User | None, channel: str, case: Case, version: int | None = None) -> Case:
    """Close a resolved case: the customer's problem is solved and approved (source 004)."""
    require(actor, "case.close")
    case = _lock(case, version)
    rules.refuse_close(case)
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
    rules.refuse_reopen(case)
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
