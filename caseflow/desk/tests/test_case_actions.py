"""Every action on the case detail: the happy path through htmx, bad input through the forms
(the message is shown and nothing changes), stale versions, and roles that may not act."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseflow.accounts.models import Team
from caseflow.cases import services
from caseflow.cases.models import Case, CaseStatus, SupplyLine, TimelineEvent
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(name: str, case: Case, *args) -> str:
    return reverse(f"desk:case_{name}", args=[case.pk, *args])


def post(client, name: str, case: Case, data: dict, *args, htmx: bool = True):
    return client.post(url(name, case, *args), data, headers=HTMX if htmx else {})


class Unchanged:
    """Snapshot of a case, its timeline and its audit chain: `assert unchanged()` after a
    refused action proves nothing was written."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.state = self._state()

    def _state(self) -> tuple:
        case = Case.objects.get(pk=self.case.pk)
        return (
            case.version,
            case.status,
            case.owner_id,
            case.symptom,
            case.resolution_general_id,
            TimelineEvent.objects.filter(case=case).count(),
            SupplyLine.objects.filter(case=case, removed_at__isnull=True).count(),
            AuditEntry.objects.count(),
        )

    def __call__(self) -> bool:
        return self._state() == self.state


def assert_page_parts_swapped(response) -> None:
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert "caseChanged" in response["HX-Trigger"]
    html = response.content.decode()
    for part in ("case-header", "case-details", "case-supplies", "case-workflow", "case-timeline"):
        assert f'id="{part}" class' in html and 'hx-swap-oob="true"' in html, part


# --- notes and calls ----------------------------------------------------------------------


def test_add_a_note(client, agent, desk_case):
    client.force_login(agent)

    response = post(client, "note", desk_case, {"text": "Customer will send a photo"})

    assert_page_parts_swapped(response)
    assert 'id="case-log"' in response.content.decode()  # the note form comes back empty
    assert "Customer will send a photo" in response.content.decode()
    event = TimelineEvent.objects.get(case=desk_case, event_type__code="note")
    assert event.actor == agent and event.channel == Channel.UI
    desk_case.refresh_from_db()
    assert desk_case.status == CaseStatus.OPEN  # a first contact opens a new case
    assert "Note added" in response.content.decode()


def test_a_note_with_a_file(client, agent, desk_case):
    client.force_login(agent)
    photo = SimpleUploadedFile("pump.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)

    response = client.post(url("note", desk_case), {"text": "", "files": [photo]}, headers=HTMX)

    assert response.status_code == 200
    event = TimelineEvent.objects.get(case=desk_case, event_type__code="note")
    assert event.attachments.get().filename == "pump.png"


def test_an_empty_note_is_refused(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "note", desk_case, {"text": "   "})

    assert response.status_code == 422
    assert "Write something or attach a file." in response.content.decode()
    assert 'id="form-note"' in response.content.decode()
    assert unchanged()


def test_log_a_call(client, agent, desk_case):
    client.force_login(agent)

    response = post(
        client,
        "call",
        desk_case,
        {"direction": "out", "duration": "4:30", "outcome": "call_back", "text": "Back at 3"},
    )

    assert_page_parts_swapped(response)
    event = TimelineEvent.objects.get(case=desk_case, event_type__code="call_out")
    assert (event.call_duration, event.call_outcome, event.text) == (270, "call_back", "Back at 3")
    assert event.channel == Channel.PHONE


@pytest.mark.parametrize("duration", ["4.30", "4:75", "abc", "1:2:3:4"])
def test_a_call_with_a_malformed_duration_is_refused(client, agent, desk_case, duration):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(
        client, "call", desk_case, {"direction": "in", "duration": duration, "outcome": "reached"}
    )

    assert response.status_code == 422
    assert "Enter the duration as mm:ss" in response.content.decode()
    assert unchanged()


def test_a_call_longer_than_a_day_gets_the_services_message(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(
        client, "call", desk_case, {"direction": "in", "duration": "25:00:00", "outcome": "reached"}
    )

    assert response.status_code == 422
    assert "A call lasts between 0 seconds and a day." in response.content.decode()
    assert unchanged()


# --- status, assignment -------------------------------------------------------------------


def test_change_status(client, agent, desk_case):
    client.force_login(agent)

    response = post(
        client,
        "status",
        desk_case,
        {"version": desk_case.version, "status": "waiting_customer", "note": "Asked for photo"},
    )

    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.status == CaseStatus.WAITING_CUSTOMER
    assert "Waiting on customer" in response.content.decode()


def test_an_illegal_transition_is_refused_with_a_message(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "status", desk_case, {"version": desk_case.version, "status": "closed"})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert unchanged()


def test_close_before_resolve_is_an_illegal_transition(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "close", desk_case, {"version": desk_case.version})

    assert response.status_code == 422
    assert "Only a resolved case can be closed; this one is New." in response.content.decode()
    assert unchanged()


def test_assign_to_someone_and_a_team(client, agent, technician, desk_case):
    team = Team.objects.create(name="Espresso")
    team.members.add(agent, technician)  # colleagues: case.assign suffices
    client.force_login(agent)

    response = post(
        client,
        "assign",
        desk_case,
        {"version": desk_case.version, "owner": technician.pk, "team": team.pk},
    )

    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert (desk_case.owner, desk_case.team) == (technician, team)


def test_assigning_outside_ones_teams_is_a_form_error(client, agent, technician, desk_case):
    client.force_login(agent)  # agent and technician share no team
    unchanged = Unchanged(desk_case)

    response = post(
        client, "assign", desk_case, {"version": desk_case.version, "owner": technician.pk}
    )

    assert response.status_code == 422
    assert "is in none of your teams" in response.content.decode()
    assert unchanged()


def test_take_it(client, technician, desk_case):
    client.force_login(technician)

    response = post(client, "assign", desk_case, {"version": desk_case.version, "take": "1"})

    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.owner == technician


def test_assigning_someone_who_cannot_own_cases_gets_the_services_message(
    client, agent, back_office, desk_case
):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    # back office is not offered in the select; a forged value is refused by the form
    response = post(
        client, "assign", desk_case, {"version": desk_case.version, "owner": back_office.pk}
    )

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert unchanged()


# --- details ------------------------------------------------------------------------------


def details(case: Case, **changes) -> dict:
    data = {
        "version": case.version,
        "subject": case.subject,
        "symptom": case.symptom,
        "diagnosis": case.diagnosis,
        "solution": case.solution,
        "promised_by": "",
        "priority": case.priority.code,
        "case_type": case.case_type,
        "case_type_reason": case.case_type_reason,
    }
    data.update(changes)
    return data


def test_edit_symptom_diagnosis_solution_and_promise(client, agent, desk_case):
    client.force_login(agent)

    response = post(
        client,
        "edit",
        desk_case,
        details(
            desk_case,
            diagnosis="Pump bearing worn",
            solution="Replace the pump",
            promised_by="2026-12-01",
            priority="P2",
        ),
    )

    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.diagnosis == "Pump bearing worn"
    assert str(desk_case.promised_by) == "2026-12-01"
    assert desk_case.priority.code == "P2"
    assert "Pump bearing worn" in response.content.decode()


def test_overlong_text_is_refused(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "edit", desk_case, details(desk_case, symptom="x" * 20001))

    assert response.status_code == 422
    assert "at most 20000 characters" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert unchanged()


def test_another_case_type_needs_a_reason(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "edit", desk_case, details(desk_case, case_type="billable"))

    assert response.status_code == 422
    html = response.content.decode()
    assert "The suggested case type is Warranty; say why it should be Billable." in html
    assert unchanged()


def test_a_stale_version_is_a_conflict_that_changes_nothing(client, agent, team_lead, desk_case):
    client.force_login(agent)
    read_version = desk_case.version
    services.update_case(
        actor=team_lead,
        channel=Channel.UI,
        case=desk_case,
        version=read_version,
        diagnosis="Lead's diagnosis",
    )
    unchanged = Unchanged(desk_case)

    response = post(
        client,
        "edit",
        desk_case,
        {**details(desk_case, diagnosis="Mine"), "version": read_version},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by lead at" in html and "case.updated" in html
    assert "Reload" in html and f'href="{reverse("desk:case_detail", args=[desk_case.pk])}"' in html
    assert unchanged()
    desk_case.refresh_from_db()
    assert desk_case.diagnosis == "Lead's diagnosis"


def test_a_stale_version_on_a_workflow_action_is_a_conflict(client, agent, desk_case):
    client.force_login(agent)
    stale = desk_case.version
    services.assign_case(actor=agent, channel=Channel.UI, case=desk_case, owner=agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "status", desk_case, {"version": stale, "status": "waiting_vendor"})

    assert response.status_code == 409
    assert "Reload" in response.content.decode()
    assert unchanged()


# --- supplies -----------------------------------------------------------------------------


def test_add_and_remove_supplies(client, agent, desk_case, desk_case_spare_part):
    client.force_login(agent)

    response = post(client, "supply_add", desk_case, {"product": "sp-pump", "quantity": "2"})

    assert_page_parts_swapped(response)
    line = SupplyLine.objects.get(case=desk_case)
    assert line.quantity == Decimal("2.00") and line.unit_price == Decimal("12.50")
    html = response.content.decode()
    assert "25.00" in html and 'data-supply-total="EUR"' in html

    response = post(client, "supply_remove", desk_case, {}, line.pk)

    assert_page_parts_swapped(response)
    line.refresh_from_db()
    assert line.removed_at is not None
    assert "No supplies yet." in response.content.decode()
    again = post(client, "supply_remove", desk_case, {}, line.pk)
    assert again.status_code == 422
    assert "This supply line is not on the case." in again.content.decode()


def test_an_unknown_article_or_a_bad_quantity_is_refused(client, agent, desk_case):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    unknown = post(client, "supply_add", desk_case, {"product": "NOPE", "quantity": "1"})
    zero = post(client, "supply_add", desk_case, {"product": "NOPE", "quantity": "0"})

    assert unknown.status_code == 422
    assert "There is no product NOPE." in unknown.content.decode()
    assert zero.status_code == 422
    assert unchanged()


# --- resolve, close, reopen ---------------------------------------------------------------


def test_resolve_with_codes_then_close_then_reopen(client, agent, desk_case, desk_case_codes):
    client.force_login(agent)

    response = post(
        client,
        "resolve",
        desk_case,
        {
            "version": desk_case.version,
            "resolution_general": desk_case_codes["FIX"].pk,
            "resolution_specific": desk_case_codes["FIX-PART"].pk,
            "solution": "Pump replaced",
        },
    )

    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.status == CaseStatus.RESOLVED
    assert desk_case.resolution_specific == desk_case_codes["FIX-PART"]
    assert desk_case.solution == "Pump replaced"
    assert 'id="form-close"' in response.content.decode()

    response = post(client, "close", desk_case, {"version": desk_case.version})
    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.status == CaseStatus.CLOSED
    assert 'id="form-note"' not in response.content.decode()

    response = post(
        client, "reopen", desk_case, {"version": desk_case.version, "reason": "Still loud"}
    )
    assert_page_parts_swapped(response)
    desk_case.refresh_from_db()
    assert desk_case.status == CaseStatus.OPEN


def test_a_specific_code_under_the_wrong_general_code_is_refused(
    client, agent, desk_case, desk_case_codes
):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(
        client,
        "resolve",
        desk_case,
        {
            "version": desk_case.version,
            "resolution_general": desk_case_codes["FIX"].pk,
            "resolution_specific": desk_case_codes["ADV-PHONE"].pk,
        },
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "ADV-PHONE does not belong to the general code FIX." in html
    assert f'value="{desk_case_codes["ADV-PHONE"].pk}" selected' in html
    assert unchanged()


def test_a_general_code_with_specific_ones_needs_one(client, agent, desk_case, desk_case_codes):
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(
        client,
        "resolve",
        desk_case,
        {"version": desk_case.version, "resolution_general": desk_case_codes["FIX"].pk},
    )

    assert response.status_code == 422
    assert "Choose a specific resolution code under FIX." in response.content.decode()
    assert unchanged()


def test_reopen_needs_a_reason(client, agent, desk_case, desk_case_codes):
    services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        resolution_general=desk_case_codes["ADV"],
        resolution_specific=desk_case_codes["ADV-PHONE"],
    )
    desk_case.refresh_from_db()
    client.force_login(agent)
    unchanged = Unchanged(desk_case)

    response = post(client, "reopen", desk_case, {"version": desk_case.version, "reason": ""})

    assert response.status_code == 422
    assert unchanged()


# --- without htmx -------------------------------------------------------------------------


def test_without_htmx_an_action_redirects_and_an_error_shows_the_whole_page(
    client, agent, desk_case
):
    client.force_login(agent)

    done = post(client, "note", desk_case, {"text": "Plain form"}, htmx=False)
    assert done.status_code == 302 and done["Location"] == url("detail", desk_case)

    refused = post(client, "note", desk_case, {"text": ""}, htmx=False)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "<html" in html and "Write something or attach a file." in html


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("note", {"text": "Forged"}),
        ("call", {"direction": "in", "duration": "1:00", "outcome": "reached"}),
        ("status", {"status": "waiting_vendor"}),
        ("assign", {"take": "1"}),
        ("edit", {"subject": "Forged", "priority": "P1", "case_type": "warranty"}),
        ("resolve", {"resolution_general": "ADV", "resolution_specific": "ADV-PHONE"}),
        ("close", {}),
        ("reopen", {"reason": "Forged"}),
        ("supply_add", {"product": "SP-PUMP", "quantity": "1"}),
    ],
)
def test_a_forged_post_from_a_read_only_role_is_refused(
    client, quality_manager, desk_case, desk_case_codes, desk_case_spare_part, name, data
):
    data = {"version": desk_case.version, **data}
    for field in ("resolution_general", "resolution_specific"):
        if field in data:
            data[field] = desk_case_codes[data[field]].pk
    client.force_login(quality_manager)
    unchanged = Unchanged(desk_case)

    response = post(client, name, desk_case, data)

    # the form is valid, so it is the service that refuses (close and reopen: the form
    # checks nothing the service would not, and their role check comes first)
    assert response.status_code == 403
    assert unchanged()


def test_a_forged_supply_removal_is_refused(
    client, agent, quality_manager, desk_case, desk_case_spare_part
):
    line = services.add_supply(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        product=desk_case_spare_part,
        quantity=Decimal(1),
    )
    client.force_login(quality_manager)
    unchanged = Unchanged(desk_case)

    response = post(client, "supply_remove", desk_case, {}, line.pk)

    assert response.status_code == 403
    assert unchanged()


def test_a_technician_cannot_assign_others(client, technician, agent, desk_case):
    client.force_login(technician)
    unchanged = Unchanged(desk_case)

    response = post(client, "assign", desk_case, {"version": desk_case.version, "owner": agent.pk})

    assert response.status_code == 403
    assert unchanged()


def test_anonymous_posts_go_to_the_login(client, desk_case):
    response = post(client, "note", desk_case, {"text": "x"}, htmx=False)
    assert response.status_code == 302
    assert not TimelineEvent.objects.filter(event_type__code="note").exists()
