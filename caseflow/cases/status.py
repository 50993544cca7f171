"""The case's status rules, in one place: which status may follow which, which of them an
agent sets by hand, what a resolved or closed case still allows, and when a timeline entry
moves a case on by itself.

The services refuse with these rules (`refuse_*`, a `DomainError` with code
`illegal_transition` or `case_closed`), and the screens ask the same rules what to offer
(`allowed_targets`, `may_resolve`, …), so a button is shown exactly when the service would
accept it (the actor's capabilities aside, which `accounts.roles` decides).

- New, open and the waiting statuses move among each other by `change_status`
  (`allowed_targets`), with an optional note; a case is never moved back to new.
- Resolving needs the resolution codes (`resolve_case`), from any active status.
- Only a resolved case is closed (`close_case`).
- A resolved or closed case is reopened (`reopen_case`, with a reason), never moved.
- A closed case takes no other change: no entry, no edit, no assignment, no supply.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from caseflow.cases.models import DONE, WAITING, Case, CaseStatus
from caseflow.core.errors import DomainError

# Which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.OPEN, *WAITING, CaseStatus.RESOLVED}),
    CaseStatus.OPEN: frozenset({*WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING_CUSTOMER: frozenset({CaseStatus.OPEN, *WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING_VENDOR: frozenset({CaseStatus.OPEN, *WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING_PARTS: frozenset({CaseStatus.OPEN, *WAITING, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.OPEN}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}
# What `change_status` sets; resolving, closing and reopening have their own services.
MANUAL = frozenset({CaseStatus.OPEN, *WAITING})
# The customer's own contact: it ends "waiting on customer".
ANSWERS = frozenset({"call_in", "email_in", "sms_in"})


def may_transition(current: str, target: str) -> bool:
    """Whether `target` may follow the status `current`."""
    return target in TRANSITIONS.get(current, frozenset())


def allowed_targets(case: Case) -> list[CaseStatus]:
    """The statuses `change_status` takes the case to, in the order of `CaseStatus`: none
    for a resolved or closed case (it is reopened)."""
    if case.status in DONE:
        return []
    return [s for s in CaseStatus if s in MANUAL and may_transition(case.status, s)]


def may_resolve(case: Case) -> bool:
    return may_transition(case.status, CaseStatus.RESOLVED)


def may_close(case: Case) -> bool:
    return case.status == CaseStatus.RESOLVED


def may_reopen(case: Case) -> bool:
    return case.status in DONE


def accepts_changes(case: Case) -> bool:
    """Whether the case takes entries, edits, assignments and supplies: not once closed."""
    return case.status != CaseStatus.CLOSED


def after_entry(case: Case, event_code: str, *, by_system: bool) -> CaseStatus | None:
    """The status a new timeline entry moves the case to, if any. A contact with the
    customer opens a new case, an answer ends "waiting on customer"; what the system writes
    by itself (the customer's own message at intake, an automatic acknowledgement) leaves a
    new case new: it still waits for an agent."""
    if (case.status == CaseStatus.NEW and not by_system) or (
        case.status == CaseStatus.WAITING_CUSTOMER and event_code in ANSWERS
    ):
        return CaseStatus.OPEN
    return None


# --- the refusals the services raise --------------------------------------------------------


def refuse_manual(target: str) -> None:
    """Refuse a status `change_status` does not set."""
    if target not in CaseStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if target not in MANUAL:
        raise DomainError(
            _("Use resolve, close or reopen for this status change."),
            field="status",
            code="illegal_transition",
        )


def refuse_move(case: Case, target: str) -> None:
    """Refuse moving a resolved or closed case: it is reopened."""
    if case.status in DONE:
        raise DomainError(
            _("A %(status)s case is reopened, not moved to %(to)s.")
            % {"status": case.get_status_display(), "to": CaseStatus(target).label},
            field="status",
            code="illegal_transition",
        )


def refuse_transition(case: Case, target: str) -> None:
    """Refuse a status that may not follow the case's."""
    if not may_transition(case.status, target):
        raise DomainError(
            _("A case cannot go from %(from)s to %(to)s.")
            % {"from": case.get_status_display(), "to": CaseStatus(target).label},
            field="status",
            code="illegal_transition",
        )


def refuse_resolve(case: Case) -> None:
    if not may_resolve(case):
        raise DomainError(
            _("A %(status)s case cannot be resolved.") % {"status": case.get_status_display()},
            field="status",
            code="illegal_transition",
        )


def refuse_close(case: Case) -> None:
    if not may_close(case):
        raise DomainError(
            _("Only a resolved case can be closed; this one is %(status)s.")
            % {"status": case.get_status_display()},
            field="status",
            code="illegal_transition",
        )


def refuse_reopen(case: Case) -> None:
    if not may_reopen(case):
        raise DomainError(
            _("Only a resolved or closed case can be reopened."),
            field="status",
            code="illegal_transition",
        )


def refuse_closed(case: Case) -> None:
    """Refuse any change but reopening on a closed case."""
    if not accepts_changes(case):
        raise DomainError(
            _("Case %(number)s is closed; reopen it first.") % {"number": case.number},
            field="status",
            code="case_closed",
        )
