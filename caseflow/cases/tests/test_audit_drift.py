"""`verify_audit` notices rows changed behind Caseflow's back, though every chain still links:
a case's fields updated in SQL, its timeline entries deleted, edited or slipped in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from caseflow.cases import integrity, services
from caseflow.cases.models import Case, TimelineEvent
from caseflow.core.audit import first_broken_link, walk
from caseflow.core.drift import DriftCheck
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db
UI = Channel.UI


@pytest.fixture
def worked_case(open_case, agent, technician, colleagues, codes, spare_part, unit_in_warranty):
    """A case through every service that writes its timeline: all of it in the chain."""
    case = open_case(unit=unit_in_warranty)
    case = services.update_case(
        actor=agent, channel=UI, case=case, version=case.version, diagnosis="Pump worn"
    )
    case = services.assign_case(actor=agent, channel=UI, case=case, owner=technician)
    services.record_event(
        actor=agent,
        channel=UI,
        case=case,
        event_type="note",
        text="Customer brings it Monday",
        uploads=[services.Upload(name="photo.png", content=b"\x89PNG\r\n\x1a\nfake")],
    )
    line = services.add_supply(
        actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal("1")
    )
    services.remove_supply(actor=agent, channel=UI, case=case, line=line)
    services.add_supply(
        actor=agent, channel=UI, case=case, product=spare_part, quantity=Decimal("2.50")
    )
    case = Case.objects.get(pk=case.pk)
    case = services.resolve_case(
        actor=agent,
        channel=UI,
        case=case,
        resolution_general=codes["RMA"],
        resolution_specific=codes["RMA-REP"],
        solution="Pump replaced",
    )
    case = services.close_case(actor=agent, channel=UI, case=case)
    return services.reopen_case(actor=agent, channel=UI, case=case, reason="Noise is back")


def _problems(capsys=None) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    return str(exc.value) + (capsys.readouterr().err if capsys else "")


def test_every_timeline_entry_is_in_the_chain_and_nothing_drifted(worked_case, capsys):
    events = TimelineEvent.objects.filter(case=worked_case).count()
    recorded = [
        ref["id"]
        for entry in AuditEntry.objects.filter(chain=f"cases.case:{worked_case.pk}")
        for ref in (entry.after or {}).get("timeline", [])
    ]
    assert sorted(recorded) == sorted(
        TimelineEvent.objects.filter(case=worked_case).values_list("pk", flat=True)
    )
    assert len(recorded) == events

    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "audit chain intact" in out
    assert f"{events} recorded parts compared" in out


def test_fields_updated_in_sql_are_named(worked_case, agent, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET subject = %s, owner_id = %s WHERE id = %s",
            ["Forged subject", agent.pk, worked_case.pk],
        )

    assert first_broken_link() is None  # the chain itself is untouched
    report = _problems(capsys)
    assert "rows drifted" in report
    assert f"cases.case:{worked_case.pk}" in report
    assert "subject is 'Forged subject', but the audit trail last recorded 'Pump is loud'" in report
    assert "owner is" in report


def test_notes_deleted_in_sql_are_missed(worked_case, capsys):
    notes = list(
        TimelineEvent.objects.filter(case=worked_case, event_type__code="note").values_list(
            "pk", flat=True
        )
    )
    with connection.cursor() as cursor:
        for note in notes:
            cursor.execute("DELETE FROM cases_attachment WHERE event_id = %s", [note])
            cursor.execute("DELETE FROM cases_timelineevent WHERE id = %s", [note])

    report = _problems(capsys)
    assert "timeline entry count" in report
    assert f"timeline entry {notes[0]}, recorded by entry" in report
    assert "is missing" in report


def test_an_edited_entry_and_an_inserted_one_are_found(worked_case, agent, capsys):
    note = TimelineEvent.objects.filter(case=worked_case, event_type__code="note").get()
    TimelineEvent.objects.filter(pk=note.pk).update(text="Nothing was agreed")
    slipped = TimelineEvent.objects.create(
        case=worked_case,
        event_type=note.event_type,
        occurred_at=timezone.now(),
        actor=agent,
        channel=UI,
        text="Customer accepted the cost",
    )

    report = _problems(capsys)
    assert f"timeline entry {note.pk} was changed after entry" in report
    assert f"timeline entry {slipped.pk} is not in the audit trail" in report


def test_a_removed_attachment_changes_its_entry(worked_case, capsys):
    note = TimelineEvent.objects.filter(case=worked_case, event_type__code="note").get()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_attachment WHERE event_id = %s", [note.pk])

    assert f"timeline entry {note.pk} was changed" in _problems(capsys)


def test_a_supply_line_changed_in_sql_drifts(worked_case, capsys):
    line = worked_case.supplies.filter(removed_at__isnull=True).get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_supplyline SET quantity = 25 WHERE id = %s", [line.pk])
        cursor.execute("UPDATE cases_supplyline SET removed_at = NULL")

    report = _problems(capsys)
    assert f"cases.supplyline:{line.pk}" in report
    assert "quantity is '25.00', but the audit trail last recorded '2.50'" in report
    assert "removed_at is None" in report  # the removed line came back


def test_the_same_value_in_another_notation_is_no_drift(open_case, agent):
    """2.5 recorded, 2.50 stored; a time recorded in Berlin time, stored in UTC."""
    case = open_case(received_at=timezone.localtime() - timedelta(hours=1))
    recorded = AuditEntry.objects.get(chain=f"cases.case:{case.pk}").after["received_at"]
    assert not recorded.endswith("Z")  # Europe/Berlin, as the service was given it
    call_command("verify_audit")


def test_drift_is_found_in_small_batches_too(worked_case, open_case, agent):
    others = [open_case(subject=f"Case {n}") for n in range(5)]
    Case.objects.filter(pk=others[3].pk).update(subject="Forged")
    found = [
        str(problem)
        for problem in walk(observer=DriftCheck(batch=2))
        if not hasattr(problem, "seq")
    ]
    assert len(found) == 1
    assert f"cases.case:{others[3].pk}" in found[0]


def test_no_drift_and_since_check_only_the_links(worked_case, capsys):
    Case.objects.filter(pk=worked_case.pk).update(subject="Forged")
    call_command("verify_audit", "--no-drift")
    assert "no drift" not in capsys.readouterr().out
    call_command("verify_audit", "--since", "2000-01-01")
    call_command("verify_audit", "--chain", f"cases.case:{worked_case.pk}", "--no-drift")
    with pytest.raises(CommandError):
        call_command("verify_audit", "--chain", f"cases.case:{worked_case.pk}")


def test_a_chain_without_recorded_entries_is_not_compared(open_case, agent):
    """Cases whose entries predate the timeline record (or were bulk-loaded, bench/generate.py)
    have nothing to compare their timeline with; their fields still are."""
    case = open_case()
    AuditEntry.objects.filter(chain=f"cases.case:{case.pk}").delete()
    from caseflow.core.models import AuditChainHead

    AuditChainHead.objects.filter(chain=f"cases.case:{case.pk}").delete()
    TimelineEvent.objects.create(
        case=case,
        event_type=TimelineEvent.objects.filter(case=case).get().event_type,
        occurred_at=timezone.now(),
        channel=UI,
    )
    call_command("verify_audit")


def test_the_digest_covers_what_a_reader_sees(worked_case):
    note = TimelineEvent.objects.filter(case=worked_case, event_type__code="note").get()
    files = [("photo.png", note.attachments.get().sha256)]
    digest = integrity.event_digest(note, files)
    assert integrity.timeline_digests([worked_case.pk])[worked_case.pk][note.pk] == digest
    note.text = "changed"
    assert integrity.event_digest(note, files) != digest
    assert integrity.event_digest(TimelineEvent.objects.get(pk=note.pk), []) != digest
