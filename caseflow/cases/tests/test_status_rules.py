"""The case's status rules (`cases.status`): what the screens offer is what the services
accept."""

import pytest

from caseflow.cases import status as rules
from caseflow.cases.models import ACTIVE, WAITING, Case, CaseStatus
from caseflow.core.errors import DomainError

ALL = list(CaseStatus)


def _case(status: str) -> Case:
    return Case(status=status, number="C-2026-000001")


def _change_accepted(case: Case, target: str) -> bool:
    """Whether `change_status` takes `case` to `target` (the steps it refuses with)."""
    try:
        rules.refuse_manual(target)
        rules.refuse_move(case, target)
        if target != case.status:  # the same status is a no-op
            rules.refuse_transition(case, target)
    except DomainError:
        return False
    return True


def _refused(refuse, case: Case) -> bool:
    try:
        refuse(case)
    except DomainError:
        return True
    return False


@pytest.mark.parametrize("current", ALL)
def test_the_status_form_offers_what_change_status_accepts(current):
    case = _case(current)
    offered = set(rules.allowed_targets(case))
    accepted = {target for target in ALL if _change_accepted(case, target)}
    assert offered <= accepted
    assert accepted - offered <= {current}  # staying where it is changes nothing


def test_the_status_form_offers_open_and_the_waiting_statuses_in_list_order():
    assert rules.allowed_targets(_case(CaseStatus.NEW)) == [CaseStatus.OPEN, *WAITING]
    assert rules.allowed_targets(_case(CaseStatus.OPEN)) == list(WAITING)
    assert rules.allowed_targets(_case(CaseStatus.RESOLVED)) == []
    assert rules.allowed_targets(_case(CaseStatus.CLOSED)) == []


@pytest.mark.parametrize("current", ALL)
def test_resolve_close_reopen_and_changes_are_offered_exactly_when_accepted(current):
    case = _case(current)
    assert rules.may_resolve(case) == (current in ACTIVE)
    assert rules.may_resolve(case) != _refused(rules.refuse_resolve, case)
    assert rules.may_close(case) == (current == CaseStatus.RESOLVED)
    assert rules.may_close(case) != _refused(rules.refuse_close, case)
    assert rules.may_reopen(case) == (current not in ACTIVE)
    assert rules.may_reopen(case) != _refused(rules.refuse_reopen, case)
    assert rules.accepts_changes(case) == (current != CaseStatus.CLOSED)
    assert rules.accepts_changes(case) != _refused(rules.refuse_closed, case)


def test_a_manual_change_never_resolves_closes_or_goes_back_to_new():
    for target in (CaseStatus.NEW, CaseStatus.RESOLVED, CaseStatus.CLOSED, "bogus"):
        with pytest.raises(DomainError):
            rules.refuse_manual(target)


@pytest.mark.parametrize(
    ("current", "code", "by_system", "expected"),
    [
        (CaseStatus.NEW, "note", False, CaseStatus.OPEN),
        (CaseStatus.NEW, "email_in", True, None),  # intake: still waits for an agent
        (CaseStatus.WAITING_CUSTOMER, "email_in", True, CaseStatus.OPEN),
        (CaseStatus.WAITING_CUSTOMER, "note", False, None),
        (CaseStatus.WAITING_VENDOR, "call_in", False, None),
        (CaseStatus.OPEN, "call_out", False, None),
    ],
)
def test_an_entry_moves_a_case_on_only_where_the_rules_say(current, code, by_system, expected):
    assert rules.after_entry(_case(current), code, by_system=by_system) == expected
