from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseflow.cases import services
from caseflow.cases.models import (
    Attachment,
    Case,
    CaseStatus,
    EventType,
    SupplyLine,
    TimelineEvent,
)
from caseflow.core.audit import first_broken_link
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db
UI = Channel.UI


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _resolve(case, actor, codes):
    return services.resolve_case(
        actor=actor,
        channel=UI,
        case=case,
        resolution_general=codes["FIX"],
        resolution_specific=codes["FIX-PART"],
        solution="Replaced the pump",
    )


def test_the_whole_life_of_a_case(open_case, agent, codes, spare_part):
    case = open_case()
    case = services.change_status(actor=agent, channel=UI, case=case, status="open")
    case = services.change_status(actor=agent, channel=UI, case=case, status="waiting_parts")
    services.add_supply(actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal(1))
    case = _resolve(case, agent, codes)
    assert case.status == CaseStatus.RESOLVED
    assert case.resolved_at is not None
    case = services.close_case(actor=agent, channel=UI, case=case)
    assert case.status == CaseStatus.CLOSED
    case = services.reopen_case(actor=agent, channel=UI, case=case, reason="Pump failed again")
    assert (case.status, case.resolved_at, case.closed_at) == ("open", None, None)
    kinds = list(
        TimelineEvent.objects.filter(case=case)
        .order_by("occurred_at", "id")
        .values_list("event_type__code", flat=True)
    )
    assert kinds == [
        "created", "status_changed", "status_changed", "supply_added", "resolved", "closed",
        "reopened",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(chain=f"cases.case:{case.pk}").count() == 7
    assert case.version == 7
    assert first_broken_link() is None


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "closed"),  # new → closed: resolve first
        (["open"], "new"),  # never back to new
        (["open"], "resolved"),  # resolving needs codes: its own service
    ],
)
def test_illegal_status_changes_are_refused(open_case, agent, path, target):
    case = open_case()
    for status in path:
        case = services.change_status(actor=agent, channel=UI, case=case, status=status)
    version = _fresh(case).version
    with pytest.raises(DomainError) as exc:
        services.change_status(actor=agent, channel=UI, case=case, status=target)
    assert exc.value.code == "illegal_transition"
    assert _fresh(case).version == version


def test_a_resolved_case_is_reopened_not_moved(open_case, agent, codes):
    case = _resolve(open_case(), agent, codes)
    with pytest.raises(DomainError) as exc:
        services.change_status(actor=agent, channel=UI, case=case, status="waiting_customer")
    assert exc.value.code == "illegal_transition"
    with pytest.raises(DomainError):
        services.close_case(actor=agent, channel=UI, case=open_case())  # not resolved yet
    with pytest.raises(DomainError) as exc:
        services.reopen_case(actor=agent, channel=UI, case=case, reason="   ")
    assert exc.value.field == "reason"


def test_resolving_needs_general_and_specific_codes(open_case, agent, codes):
    case = open_case()
    with pytest.raises(DomainError) as exc:
        services.resolve_case(
            actor=agent, channel=UI, case=case, resolution_general=None, resolution_specific=None
        )
    assert exc.value.field == "resolution_general_id"
    with pytest.raises(DomainError) as exc:
        services.resolve_case(
            actor=agent,
            channel=UI,
            case=case,
            resolution_general=codes["FIX"],
            resolution_specific=None,
        )
    assert exc.value.field == "resolution_specific_id"
    with pytest.raises(DomainError) as exc:
        services.resolve_case(
            actor=agent,
            channel=UI,
            case=case,
            resolution_general=codes["FIX"],
            resolution_specific=codes["ADV-PHONE"],  # belongs to ADV
        )
    assert exc.value.code == "code_mismatch"
    with pytest.raises(DomainError):
        services.resolve_case(
            actor=agent,
            channel=UI,
            case=case,
            resolution_general=codes["HARD"],  # a reason code, not a resolution code
            resolution_specific=codes["HARD-DEF"],
        )
    assert _fresh(case).status == CaseStatus.NEW


def test_a_stale_update_is_refused_and_says_who_changed_it(open_case, agent, team_lead):
    case = open_case()
    read_version = case.version
    services.update_case(
        actor=team_lead, channel=UI, case=case, version=read_version, diagnosis="Worn pump"
    )
    with pytest.raises(Conflict) as exc:
        services.update_case(
            actor=agent, channel=UI, case=case, version=read_version, diagnosis="Limescale"
        )
    assert "lead" in exc.value.message
    assert exc.value.extra["current_version"] == read_version + 1
    assert _fresh(case).diagnosis == "Worn pump"


def test_update_records_what_changed(open_case, agent, unit_in_warranty):
    case = open_case()
    case = services.update_case(
        actor=agent,
        channel=UI,
        case=case,
        version=case.version,
        diagnosis="Limescale in the pump",
        unit=unit_in_warranty,
    )
    assert case.product == unit_in_warranty.product
    assert (case.suggested_case_type, case.case_type) == ("warranty", "warranty")
    entry = AuditEntry.objects.filter(action="case.updated").get()
    assert entry.before["diagnosis"] == ""
    assert entry.after["diagnosis"] == "Limescale in the pump"
    event = TimelineEvent.objects.get(case=case, event_type__code="field_changed")
    assert "diagnosis" in event.data["fields"]


def test_update_writes_only_the_changed_columns(open_case, agent):
    case = open_case()
    with CaptureQueriesContext(connection) as queries:
        services.update_case(
            actor=agent, channel=UI, case=case, version=case.version, diagnosis="Worn pump"
        )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    case_update = next(sql for sql in updates if '"cases_case"' in sql.split("SET")[0])
    assert sorted(part.split("=")[0].strip() for part in _set_columns(case_update)) == [
        '"diagnosis"', '"updated_at"', '"version"'
    ]  # fmt: skip


def _set_columns(sql: str) -> list[str]:
    assignments = sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return [part for part in assignments.split(", ") if "=" in part]


def test_an_update_that_only_adds_spaces_changes_nothing(open_case, agent):
    case = open_case(subject="Rattles")
    same = services.update_case(
        actor=agent, channel=UI, case=case, version=case.version, subject="  Rattles  "
    )
    assert same.version == case.version
    assert not AuditEntry.objects.filter(action="case.updated").exists()


def test_update_refuses_unknown_fields_and_closed_cases(open_case, agent, codes):
    case = open_case()
    with pytest.raises(DomainError) as exc:
        services.update_case(actor=agent, channel=UI, case=case, version=1, status="closed")
    assert exc.value.field == "status"
    case = services.close_case(actor=agent, channel=UI, case=_resolve(case, agent, codes))
    with pytest.raises(DomainError) as exc:
        services.update_case(actor=agent, channel=UI, case=case, version=case.version, symptom="x")
    assert exc.value.code == "case_closed"


def test_calls_and_notes_on_the_timeline(open_case, agent):
    case = open_case()
    call = services.record_event(
        actor=agent,
        channel=UI,
        case=case,
        event_type="call_in",
        text="Customer says the pump rattles",
        call_duration=185,
        call_outcome="reached",
    )
    assert (call.call_duration, call.call_outcome) == (185, "reached")
    assert _fresh(case).status == CaseStatus.OPEN  # contact moves a new case to open
    with pytest.raises(DomainError) as exc:
        services.record_event(actor=agent, channel=UI, case=case, event_type="note", text="  ")
    assert exc.value.field == "text"
    with pytest.raises(DomainError) as exc:
        services.record_event(
            actor=agent, channel=UI, case=case, event_type="note", text="x", call_duration=5
        )
    assert exc.value.field == "call_duration"
    with pytest.raises(DomainError) as exc:
        services.record_event(actor=agent, channel=UI, case=case, event_type="resolved", text="x")
    assert exc.value.field == "event_type"
    with pytest.raises(DomainError) as exc:
        services.record_event(actor=agent, channel=UI, case=case, event_type="nope", text="x")
    assert exc.value.field == "event_type"
    # event types come from the configuration cache; switching one off in the admin clears it
    note = EventType.objects.get(code="note")
    note.active = False
    note.save()
    with pytest.raises(DomainError) as exc:
        services.record_event(actor=agent, channel=UI, case=case, event_type="note", text="x")
    assert exc.value.code == "unknown"
    note.active = True
    note.save()
    with pytest.raises(DomainError) as exc:
        services.record_event(
            actor=agent,
            channel=UI,
            case=case,
            event_type="note",
            text="x",
            occurred_at=timezone.now() + timezone.timedelta(days=2),
        )
    assert exc.value.field == "occurred_at"


def test_attachments_are_cleaned_sniffed_and_limited(open_case, agent, settings):
    case = open_case()
    event = services.record_event(
        actor=agent,
        channel=UI,
        case=case,
        event_type="note",
        text="Photo of the label",
        uploads=[services.Upload(name="../../etc/passwd.png", content=b"%PDF-1.4 fake")],
    )
    attachment = Attachment.objects.get(event=event)
    assert attachment.filename == "passwd.png"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == b"%PDF-1.4 fake"
    settings.ATTACHMENT_MAX_BYTES = 100
    before = TimelineEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        services.record_event(
            actor=agent,
            channel=UI,
            case=case,
            event_type="note",
            text="Too big",
            uploads=[services.Upload(name="big.bin", content=b"x" * 101)],
        )
    assert exc.value.code == "file_too_large"
    assert TimelineEvent.objects.count() == before


def test_supplies_are_priced_from_the_catalogue(open_case, agent, spare_part):
    case = open_case()
    line = services.add_supply(
        actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal("2")
    )
    assert (line.unit_price, line.net_amount, line.tax_rate) == (
        Decimal("39.90"), Decimal("79.80"), Decimal("19.00"),
    )  # fmt: skip
    special = services.add_supply(
        actor=agent,
        channel=UI,
        case=case,
        product=spare_part,
        quantity=Decimal("1"),
        unit_price=Decimal("0"),
    )
    services.remove_supply(actor=agent, channel=UI, case=case, line=special)
    assert list(SupplyLine.objects.filter(case=case, removed_at__isnull=True)) == [line]
    for quantity in (Decimal("0"), Decimal("-1"), Decimal("0.001")):
        with pytest.raises(DomainError) as exc:
            services.add_supply(
                actor=agent, channel=UI, case=case, product=spare_part, quantity=quantity
            )
        assert exc.value.field == "quantity"
    with pytest.raises(DomainError):
        services.remove_supply(actor=agent, channel=UI, case=case, line=special)  # already gone


def test_assigning(open_case, agent, technician, team_lead, quality_manager, colleagues):
    case = open_case()
    case = services.assign_case(actor=agent, channel=UI, case=case, owner=technician)
    assert case.owner == technician
    with pytest.raises(NotAllowed):
        services.assign_case(actor=technician, channel=UI, case=case, owner=agent)
    with pytest.raises(DomainError) as exc:
        services.assign_case(actor=team_lead, channel=UI, case=case, owner=quality_manager)
    assert exc.value.field == "owner_id"
    event = TimelineEvent.objects.get(case=case, event_type__code="assigned")
    assert event.data["owner"] == technician.pk


def test_read_only_roles_change_nothing(open_case, quality_manager, codes):
    case = open_case()
    attempts = [
        lambda: services.change_status(actor=quality_manager, channel=UI, case=case, status="open"),
        lambda: services.update_case(
            actor=quality_manager, channel=UI, case=case, version=1, symptom="x"
        ),
        lambda: services.record_event(
            actor=quality_manager, channel=UI, case=case, event_type="note", text="x"
        ),
        lambda: _resolve(case, quality_manager, codes),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    assert _fresh(case).version == 1
