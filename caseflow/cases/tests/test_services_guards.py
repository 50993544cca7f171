"""Guards and defaults of the case services that the mutation run (docs/testing.md) found
no test would miss: each test here fails on a mutant that survived the rest of the suite."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseflow.accounts.models import Team
from caseflow.cases import events, selectors, services
from caseflow.cases.models import CaseStatus, Code, CodeKind, SupplyLine
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel

UI = Channel.UI


# --- assigning ----------------------------------------------------------------------------


def test_a_colleague_is_someone_in_one_of_the_actors_own_teams(open_case, agent, technician):
    # The technician is in a team, just not in one of the agent's.
    Team.objects.create(name="Workshop").members.add(technician)
    Team.objects.create(name="Front desk").members.add(agent)
    case = open_case()
    with pytest.raises(NotAllowed) as exc:
        services.assign_case(actor=agent, channel=UI, case=case, owner=technician)
    assert exc.value.field == "owner_id"
    case.refresh_from_db()
    assert case.owner_id is None


def test_someone_who_cannot_own_cases_hears_that_first(open_case, agent, back_office):
    with pytest.raises(DomainError) as exc:
        services.assign_case(actor=agent, channel=UI, case=open_case(), owner=back_office)
    assert not isinstance(exc.value, NotAllowed)
    assert (exc.value.field, exc.value.code) == ("owner_id", "owner")


# --- timeline entries ---------------------------------------------------------------------


def test_a_note_is_internal_unless_said_otherwise(open_case, agent):
    note = services.record_event(
        actor=agent, channel=UI, case=open_case(), event_type="note", text="Checked the pump"
    )
    assert note.is_internal is True


def test_a_call_needs_no_text_and_gets_none(open_case, agent):
    call = services.record_event(
        actor=agent, channel=UI, case=open_case(), event_type="call_in", call_duration=60
    )
    assert call.text == ""


def test_an_entrys_text_is_limited_to_100000_characters(open_case, agent):
    case = open_case()
    with pytest.raises(DomainError) as exc:
        services.record_event(
            actor=agent, channel=UI, case=case, event_type="note", text="x" * 100001
        )
    assert (exc.value.field, exc.value.code) == ("text", "too_long")
    note = services.record_event(
        actor=agent, channel=UI, case=case, event_type="note", text="x" * 100000
    )
    assert len(note.text) == 100000


# --- supply totals ------------------------------------------------------------------------


def test_a_removed_line_does_not_end_the_totals():
    lines = [
        SupplyLine(quantity=Decimal(1), unit_price=Decimal("5.00"), tax_rate=Decimal(19),
                   currency="EUR", removed_at="2026-01-01T00:00:00Z"),
        SupplyLine(quantity=Decimal(2), unit_price=Decimal("10.00"), tax_rate=Decimal(19),
                   currency="EUR"),
    ]  # fmt: skip
    (total,) = selectors.supply_totals(lines)
    assert (total.net, total.tax, total.gross) == (
        Decimal("20.00"),
        Decimal("3.80"),
        Decimal("23.80"),
    )


# --- status -------------------------------------------------------------------------------


def test_a_status_change_is_the_actors_and_has_no_note_unless_given(open_case, agent):
    case = services.change_status(
        actor=agent, channel=UI, case=open_case(), status=CaseStatus.WAITING_CUSTOMER
    )
    event = case.events.order_by("-id").first()
    assert (event.event_type.code, event.actor, event.text) == ("status_changed", agent, "")
    entry = AuditEntry.objects.filter(action="case.status_changed").latest("id")
    assert entry.actor_id == agent.pk


@pytest.mark.parametrize("status", ["nonsense", CaseStatus.RESOLVED, CaseStatus.NEW])
def test_a_status_change_refused_names_the_status_field(open_case, agent, status):
    case = open_case()
    with pytest.raises(DomainError) as exc:
        services.change_status(actor=agent, channel=UI, case=case, status=status)
    assert exc.value.field == "status"


def test_a_resolved_case_is_not_moved_and_the_field_is_named(open_case, agent, codes):
    case = _resolve(open_case(), agent, codes)
    with pytest.raises(DomainError) as exc:
        services.change_status(actor=agent, channel=UI, case=case, status=CaseStatus.OPEN)
    assert (exc.value.field, exc.value.code) == ("status", "illegal_transition")


def test_a_stale_status_change_is_refused(open_case, agent):
    case = open_case()
    stale = case.version
    services.update_case(actor=agent, channel=UI, case=case, version=stale, subject="Louder")
    with pytest.raises(Conflict):
        services.change_status(
            actor=agent, channel=UI, case=case, status=CaseStatus.WAITING_CUSTOMER, version=stale
        )
    case.refresh_from_db()
    assert case.status != CaseStatus.WAITING_CUSTOMER


# --- closing ------------------------------------------------------------------------------


def _resolve(case, actor, codes, **overrides):
    """Resolve `case` as fixed by a replaced part, unless `overrides` say otherwise."""
    fields = {"resolution_general": codes["FIX"], "resolution_specific": codes["FIX-PART"]}
    return services.resolve_case(actor=actor, channel=UI, case=case, **{**fields, **overrides})


def _resolved(open_case, agent, codes):
    return _resolve(open_case(), agent, codes)


def test_closing_needs_the_right_to_close(open_case, agent, codes, quality_manager):
    case = _resolved(open_case, agent, codes)
    with pytest.raises(NotAllowed):
        services.close_case(actor=quality_manager, channel=UI, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_only_a_resolved_case_is_closed_and_the_field_is_named(open_case, agent):
    with pytest.raises(DomainError) as exc:
        services.close_case(actor=agent, channel=UI, case=open_case())
    assert (exc.value.field, exc.value.code) == ("status", "illegal_transition")


def test_a_stale_close_is_refused(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    with pytest.raises(Conflict):
        services.close_case(actor=agent, channel=UI, case=case, version=case.version - 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_the_close_guards_are_asked_with_the_case_and_the_actor(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    asked = []

    def check(guarded, actor):
        asked.append((guarded.pk, actor))
        return "The customer has not approved the repair yet."

    events.guard(events.CLOSE, check, name="test.approval")
    try:
        with pytest.raises(DomainError) as exc:
            services.close_case(actor=agent, channel=UI, case=case)
    finally:
        events.unguard("test.approval")
    assert exc.value.code == "guarded" and asked == [(case.pk, agent)]
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


# --- reopening ----------------------------------------------------------------------------


def test_reopening_needs_the_right_to_reopen(open_case, agent, codes, quality_manager):
    case = _resolved(open_case, agent, codes)
    with pytest.raises(NotAllowed):
        services.reopen_case(actor=quality_manager, channel=UI, case=case, reason="Loud again")


def test_a_reopening_reason_is_needed_and_limited(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    for reason, code in (("  ", "invalid"), ("x" * 2001, "too_long")):
        with pytest.raises(DomainError) as exc:
            services.reopen_case(actor=agent, channel=UI, case=case, reason=reason)
        assert (exc.value.field, exc.value.code) == ("reason", code)
    case = services.reopen_case(actor=agent, channel=UI, case=case, reason="x" * 2000)
    assert case.status == CaseStatus.OPEN


def test_only_a_resolved_or_closed_case_is_reopened(open_case, agent):
    with pytest.raises(DomainError) as exc:
        services.reopen_case(actor=agent, channel=UI, case=open_case(), reason="Loud again")
    assert (exc.value.field, exc.value.code) == ("status", "illegal_transition")


def test_a_stale_reopening_is_refused(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    with pytest.raises(Conflict):
        services.reopen_case(
            actor=agent, channel=UI, case=case, reason="Loud again", version=case.version - 1
        )


def test_a_reopening_records_who_and_from_which_status(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    case = services.reopen_case(actor=agent, channel=UI, case=case, reason="Loud again")
    event = case.events.order_by("-id").first()
    assert (event.event_type.code, event.actor, event.text) == ("reopened", agent, "Loud again")
    assert event.data == {"before": CaseStatus.RESOLVED}
    entry = AuditEntry.objects.filter(action="case.reopened").latest("id")
    assert entry.before == {"status": CaseStatus.RESOLVED}
    assert entry.after["reason"] == "Loud again"


# --- supplies -----------------------------------------------------------------------------


def test_removing_a_supply_needs_the_right_to_record_supplies(
    open_case, agent, spare_part, quality_manager
):
    case = open_case()
    line = services.add_supply(
        actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal(1)
    )
    with pytest.raises(NotAllowed):
        services.remove_supply(actor=quality_manager, channel=UI, case=case, line=line)
    line.refresh_from_db()
    assert line.removed_at is None


def test_a_removed_supply_is_recorded_audited_and_announced(
    open_case, agent, spare_part, received, django_capture_on_commit_callbacks
):
    case = open_case()
    line = services.add_supply(
        actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal(2)
    )
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_supply(actor=agent, channel=UI, case=case, line=line)
    event = case.events.order_by("-id").first()
    assert (event.event_type.code, event.actor, event.text) == ("supply_removed", agent, "Pump")
    assert event.data == {"line": line.pk}
    entry = AuditEntry.objects.get(action="case.supply_removed", target_id=str(line.pk))
    assert entry.actor_id == agent.pk
    assert entry.before == {"quantity": "2.00", "product": spare_part.pk}
    (announced,) = received
    assert (announced.kind, announced.actor_id, announced.channel) == (
        events.SUPPLIES_CHANGED,
        agent.pk,
        UI,
    )
    assert announced.data == {"line": line.pk, "removed": True}


# --- assigning: what is recorded ----------------------------------------------------------


def test_taking_a_case_oneself_needs_the_right_to_work_cases(open_case, quality_manager):
    case = open_case()
    with pytest.raises(NotAllowed):
        services.assign_case(actor=quality_manager, channel=UI, case=case, owner=quality_manager)


def test_a_stale_assignment_is_refused(open_case, agent):
    case = open_case()
    with pytest.raises(Conflict):
        services.assign_case(
            actor=agent, channel=UI, case=case, owner=agent, version=case.version - 1
        )


def test_an_assignment_is_recorded_audited_and_announced(
    open_case, agent, received, django_capture_on_commit_callbacks
):
    old, new = Team.objects.create(name="Front desk"), Team.objects.create(name="Workshop")
    case = services.assign_case(actor=agent, channel=UI, case=open_case(), owner=None, team=old)
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.assign_case(actor=agent, channel=UI, case=case, owner=agent, team=new)
    assert (case.owner, case.team) == (agent, new)
    event = case.events.order_by("-id").first()
    assert (event.event_type.code, event.actor) == ("assigned", agent)
    assert event.data == {"owner": agent.pk, "team": new.pk}
    entry = AuditEntry.objects.filter(action="case.assigned").latest("id")
    assert entry.actor_id == agent.pk
    assert entry.before == {"owner": None, "team": old.pk}
    assert {k: entry.after[k] for k in ("owner", "team")} == {"owner": agent.pk, "team": new.pk}
    (announced,) = received
    assert (announced.kind, announced.actor_id, announced.channel) == (
        events.ASSIGNED,
        agent.pk,
        UI,
    )
    assert announced.data == {"owner": agent.pk, "team": new.pk}


# --- resolving ----------------------------------------------------------------------------


def test_a_stale_resolve_is_refused(open_case, agent, codes):
    case = open_case()
    with pytest.raises(Conflict):
        _resolve(case, agent, codes, version=case.version - 1)


def test_missing_resolution_codes_are_named(open_case, agent, codes):
    case = open_case()
    missing = ((None, "resolution_general_id"), (codes["FIX"], "resolution_specific_id"))
    for general, field in missing:
        with pytest.raises(DomainError) as exc:
            services.resolve_case(
                actor=agent,
                channel=UI,
                case=case,
                resolution_general=general,
                resolution_specific=None,
            )
        assert (exc.value.field, exc.value.code) == (field, "code_required")


def test_a_resolved_case_is_not_resolved_again(open_case, agent, codes):
    case = _resolved(open_case, agent, codes)
    with pytest.raises(DomainError) as exc:
        _resolve(case, agent, codes)
    assert (exc.value.field, exc.value.code) == ("status", "illegal_transition")


def test_the_resolve_guards_are_asked_with_the_actor(open_case, agent, codes):
    asked = []
    events.guard(events.RESOLVE, lambda case, actor: asked.append(actor), name="test.asked")
    try:
        _resolved(open_case, agent, codes)
    finally:
        events.unguard("test.asked")
    assert asked == [agent]


def test_a_long_solution_is_refused_by_name(open_case, agent, codes):
    with pytest.raises(DomainError) as exc:
        _resolve(open_case(), agent, codes, solution="x" * 20001)
    assert (exc.value.field, exc.value.code) == ("solution", "too_long")


def test_a_resolve_keeps_the_codes_and_records_them(open_case, agent, codes):
    case = _resolve(open_case(), agent, codes, reason_general=codes["HARD"])
    case.refresh_from_db()
    assert (case.resolution_general, case.resolution_specific) == (codes["FIX"], codes["FIX-PART"])
    assert (case.reason_general, case.reason_specific) == (codes["HARD"], None)
    event = case.events.order_by("-id").first()
    assert (event.event_type.code, event.actor) == ("resolved", agent)
    assert event.data == {
        "general": "FIX",
        "specific": "FIX-PART",
        "reason_general": "HARD",
        "reason_specific": None,
    }
    assert AuditEntry.objects.filter(action="case.resolved").latest("id").actor_id == agent.pk


def test_a_general_code_without_specific_ones_resolves_alone(open_case, agent):
    goodwill = Code.objects.create(kind=CodeKind.RESOLUTION, code="GOODWILL", name="Goodwill")
    case = services.resolve_case(
        actor=agent,
        channel=UI,
        case=open_case(),
        resolution_general=goodwill,
        resolution_specific=None,
    )
    event = case.events.order_by("-id").first()
    assert event.data == {"general": "GOODWILL", "specific": None}


def test_a_status_change_is_recorded_audited_and_announced(
    open_case, agent, received, django_capture_on_commit_callbacks
):
    case = open_case()
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            actor=agent,
            channel=UI,
            case=case,
            status=CaseStatus.WAITING_PARTS,
            note="Pump ordered",
        )
    event = case.events.order_by("-id").first()
    assert event.text == "Pump ordered"
    assert event.data == {"before": CaseStatus.NEW, "after": CaseStatus.WAITING_PARTS}
    entry = AuditEntry.objects.get(action="case.status_changed", target_id=str(case.pk))
    assert entry.before == {"status": CaseStatus.NEW}
    assert entry.after["status"] == CaseStatus.WAITING_PARTS
    (announced,) = received
    assert (announced.kind, announced.actor_id, announced.channel) == (
        events.STATUS_CHANGED,
        agent.pk,
        UI,
    )
    assert announced.data == {"before": CaseStatus.NEW, "after": CaseStatus.WAITING_PARTS}


# --- what closing, reopening and resolving record and announce ------------------------------


def test_closing_reopening_and_resolving_are_audited_and_announced(
    open_case, agent, codes, received, django_capture_on_commit_callbacks
):
    case = open_case()
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = _resolve(case, agent, codes)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.close_case(actor=agent, channel=UI, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.reopen_case(actor=agent, channel=UI, case=case, reason="Loud again")
    assert [(e.kind, e.actor_id, e.channel) for e in received] == [
        (events.RESOLVED, agent.pk, UI),
        (events.CLOSED, agent.pk, UI),
        (events.REOPENED, agent.pk, UI),
    ]
    resolved, _closed, reopened = received
    assert "resolution_specific" in resolved.fields
    assert reopened.data == {"before": CaseStatus.CLOSED}
    closed_event = case.events.get(event_type__code="closed")
    assert closed_event.actor == agent
    closed = AuditEntry.objects.get(action="case.closed", target_id=str(case.pk))
    assert closed.actor_id == agent.pk
    assert closed.before == {"status": CaseStatus.RESOLVED}
    assert closed.after["status"] == CaseStatus.CLOSED
    reopened_entry = AuditEntry.objects.get(action="case.reopened", target_id=str(case.pk))
    assert reopened_entry.actor_id == agent.pk
