"""Reason and resolution codes in the desk: chosen on the new-case form, in edit and in
resolve (the specific codes follow the general one), refused with the service's message,
and shown with their names on the case page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.cases import services
from caseflow.cases.models import Case, Code, TimelineEvent
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def detail(case: Case) -> str:
    return reverse("desk:case_detail", args=[case.pk])


def action_form(client, case: Case, name: str) -> str:
    """The action form as the case page loads it when the agent opens the action."""
    url = reverse("desk:case_action_form", args=[case.pk, name])
    response = client.get(url, {"version": case.version}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def select(html: str, name: str) -> str:
    """The <select name=…> element of `html`, options included."""
    found = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert found is not None, name
    return found.group(0)


def selected(html: str, name: str) -> str:
    found = re.search(r'<option value="(\d*)" selected', select(html, name))
    return found.group(1) if found else ""


def archive(code: Code) -> None:
    Code.objects.filter(pk=code.pk).update(active=False)


def new_case(client, customer, **fields):
    data = {
        "customer": customer.number,
        "subject": "Grinder jammed",
        "channel": "phone",
        "case_type": "billable",
        "priority": "P3",
    }
    data.update(fields)
    return client.post(reverse("desk:case_new"), data)


def state(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.reason_general_id,
        fresh.reason_specific_id,
        TimelineEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


# --- opening a case -----------------------------------------------------------------------


def test_the_new_case_form_offers_the_general_reason_codes_by_name(
    client, agent, desk_case_customer, desk_case_codes
):
    client.force_login(agent)

    html = client.get(reverse("desk:case_new"), {"customer": desk_case_customer.pk}).content
    html = html.decode()

    general = select(html, "reason_general")
    assert "HARD Hardware" in general and "USER User error" in general
    assert "HARD-DEF" not in general and "ADV Advice given" not in general  # only reasons
    assert 'hx-get="' + reverse("desk:case_specific_codes") in general
    assert "<option" in select(html, "reason_specific")


def test_a_case_is_opened_with_its_reason_codes(client, agent, desk_case_customer, desk_case_codes):
    client.force_login(agent)

    response = new_case(
        client,
        desk_case_customer,
        reason_general=desk_case_codes["HARD"].pk,
        reason_specific=desk_case_codes["HARD-WEAR"].pk,
    )

    case = Case.objects.get(subject="Grinder jammed")
    assert response.status_code == 302
    assert case.reason_general == desk_case_codes["HARD"]
    assert case.reason_specific == desk_case_codes["HARD-WEAR"]


@pytest.mark.parametrize(
    ("general", "specific", "message"),
    [
        ("HARD", "SOFT-BUG", "SOFT-BUG does not belong to the general code HARD."),
        ("ADV", "", "ADV is not an active general reason code."),
        ("", "HARD-DEF", "Choose the general code first."),
    ],
)
def test_a_wrong_reason_pair_is_refused_with_the_services_message(
    client, agent, desk_case_customer, desk_case_codes, general, specific, message
):
    client.force_login(agent)
    codes = desk_case_codes

    response = new_case(
        client,
        desk_case_customer,
        reason_general=codes[general].pk if general else "",
        reason_specific=codes[specific].pk if specific else "",
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not Case.objects.exists()
    if general == "HARD":  # the wrong specific code stays chosen beside its message
        assert selected(html, "reason_specific") == str(codes["SOFT-BUG"].pk)


def test_an_archived_reason_code_is_refused_by_the_service(
    client, agent, desk_case_customer, desk_case_codes
):
    archive(desk_case_codes["SOFT"])
    client.force_login(agent)

    html = client.get(reverse("desk:case_new"), {"customer": desk_case_customer.pk}).content
    assert "SOFT Software" not in select(html.decode(), "reason_general")

    response = new_case(client, desk_case_customer, reason_general=desk_case_codes["SOFT"].pk)

    assert response.status_code == 422
    assert "SOFT is not an active general reason code." in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", ["abc", "99999999", "1" * 40, "-1"])
def test_a_code_that_does_not_exist_is_a_form_error_not_a_500(
    client, agent, desk_case_customer, value
):
    client.force_login(agent)

    response = new_case(client, desk_case_customer, reason_general=value)

    assert response.status_code == 422
    assert "There is no such code." in response.content.decode()
    assert not Case.objects.exists()


# --- the specific options -----------------------------------------------------------------


def test_the_specific_reason_codes_follow_the_general_one(client, agent, desk_case_codes):
    client.force_login(agent)
    url = reverse("desk:case_specific_codes")

    html = client.get(url, {"reason_general": desk_case_codes["HARD"].pk}).content.decode()

    assert "HARD-DEF Defective component" in html and "HARD-WEAR Wear and tear" in html
    assert "SOFT-BUG" not in html
    # a resolution code's children are not reasons
    html = client.get(url, {"reason_general": desk_case_codes["FIX"].pk}).content.decode()
    assert "FIX-PART" not in html


def test_the_specific_options_need_a_role_that_sees_cases(client, desk_case_codes):
    url = reverse("desk:case_specific_codes")
    response = client.get(url, {"reason_general": desk_case_codes["HARD"].pk})
    assert response.status_code == 302  # to the log-in


# --- editing ------------------------------------------------------------------------------


def edit(client, case: Case, **changes):
    data = {
        "version": case.version,
        "subject": case.subject,
        "symptom": case.symptom,
        "diagnosis": case.diagnosis,
        "solution": case.solution,
        "priority": "P3",
        "case_type": case.case_type,
        "case_type_reason": case.case_type_reason,
        "reason_general": case.reason_general_id or "",
        "reason_specific": case.reason_specific_id or "",
    }
    data.update(changes)
    return client.post(reverse("desk:case_edit", args=[case.pk]), data, headers=HTMX)


def test_edit_shows_and_changes_the_reason_codes(client, agent, desk_case_open, desk_case_codes):
    codes = desk_case_codes
    case = desk_case_open(reason_general=codes["USER"], reason_specific=codes["USER-OP"])
    client.force_login(agent)

    form = action_form(client, case, "edit")
    assert selected(form, "reason_general") == str(codes["USER"].pk)
    assert selected(form, "reason_specific") == str(codes["USER-OP"].pk)
    assert "USER-DOC Documentation unclear" in select(form, "reason_specific")

    response = edit(
        client, case, reason_general=codes["CONF"].pk, reason_specific=codes["CONF-SET"].pk
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.reason_general, case.reason_specific) == (codes["CONF"], codes["CONF-SET"])
    html = response.content.decode()
    assert "CONF Configuration / CONF-SET Wrong setting" in html  # the header, by name
    assert "Reason (general), Reason (specific)" in html  # the timeline says what changed


def test_edit_refuses_a_specific_reason_of_another_general_one(
    client, agent, desk_case_open, desk_case_codes
):
    codes = desk_case_codes
    case = desk_case_open(reason_general=codes["USER"], reason_specific=codes["USER-OP"])
    client.force_login(agent)
    before = state(case)

    response = edit(client, case, reason_general=codes["SOFT"].pk)  # USER-OP stays

    assert response.status_code == 422
    assert "USER-OP does not belong to the general code SOFT." in response.content.decode()
    assert state(case) == before


def test_a_reason_archived_since_stays_on_the_case_and_other_edits_still_save(
    client, agent, desk_case_open, desk_case_codes
):
    codes = desk_case_codes
    case = desk_case_open(reason_general=codes["USER"], reason_specific=codes["USER-OP"])
    archive(codes["USER"])
    archive(codes["USER-OP"])
    client.force_login(agent)

    form = action_form(client, case, "edit")
    assert selected(form, "reason_general") == str(codes["USER"].pk)
    assert selected(form, "reason_specific") == str(codes["USER-OP"].pk)

    response = edit(client, case, diagnosis="Descaling skipped")

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.diagnosis == "Descaling skipped"
    assert case.reason_general_id == codes["USER"].pk


# --- resolving ----------------------------------------------------------------------------


def resolve(client, case: Case, codes, **fields):
    data = {
        "version": case.version,
        "resolution_general": codes["FIX"].pk,
        "resolution_specific": codes["FIX-PART"].pk,
        "solution": "Pump replaced",
    }
    data.update(fields)
    return client.post(reverse("desk:case_resolve", args=[case.pk]), data, headers=HTMX)


def test_resolve_offers_the_reason_prefilled_and_sets_it(
    client, agent, desk_case_open, desk_case_codes
):
    codes = desk_case_codes
    case = desk_case_open(reason_general=codes["HARD"])
    client.force_login(agent)

    form = action_form(client, case, "resolve")
    assert selected(form, "reason_general") == str(codes["HARD"].pk)
    assert "HARD-WEAR Wear and tear" in select(form, "reason_specific")

    response = resolve(
        client, case, codes, reason_general=codes["HARD"].pk, reason_specific=codes["HARD-WEAR"].pk
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "resolved" and case.reason_specific == codes["HARD-WEAR"]
    html = response.content.decode()
    header = html[
        html.index('id="case-header"') : html.index("</section>", html.index('id="case-header"'))
    ]
    assert "FIX Fixed / FIX-PART Part replaced" in header
    assert "HARD Hardware / HARD-WEAR Wear and tear" in header
    # the timeline names the codes too
    assert (
        "FIX Fixed / FIX-PART Part replaced · reason: HARD Hardware / HARD-WEAR Wear and tear"
        in html
    )


def test_resolve_refuses_a_wrong_reason_and_changes_nothing(
    client, agent, desk_case, desk_case_codes
):
    codes = desk_case_codes
    client.force_login(agent)
    before = state(desk_case)

    response = resolve(
        client,
        desk_case,
        codes,
        reason_general=codes["HARD"].pk,
        reason_specific=codes["USER-OP"].pk,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "USER-OP does not belong to the general code HARD." in html
    assert selected(html, "reason_specific") == str(codes["USER-OP"].pk)
    assert state(desk_case) == before


def test_an_archived_resolution_code_is_refused_by_the_service(
    client, agent, desk_case, desk_case_codes
):
    archive(desk_case_codes["FIX-PART"])
    client.force_login(agent)
    before = state(desk_case)

    response = resolve(client, desk_case, desk_case_codes)

    assert response.status_code == 422
    assert "FIX-PART does not belong to the general code FIX." in response.content.decode()
    assert state(desk_case) == before


def test_the_case_page_names_the_codes_at_a_constant_cost(
    client, agent, desk_case, desk_case_codes, django_assert_max_num_queries
):
    codes = desk_case_codes
    services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        resolution_general=codes["ADV"],
        resolution_specific=codes["ADV-PHONE"],
        reason_general=codes["USER"],
        reason_specific=codes["USER-DOC"],
    )
    client.force_login(agent)

    # session, user, case, supplies, the case's codes, priorities, owners and teams (assign),
    # the active codes (edit form), warranty (registration, contract), timeline, attachments,
    # and the names of the codes the timeline's "resolved" entry names
    with django_assert_max_num_queries(14):
        response = client.get(detail(desk_case))

    html = response.content.decode()
    assert 'data-field="resolution">ADV Advice given / ADV-PHONE Solved on the phone<' in html
    assert 'data-field="reason">USER User error / USER-DOC Documentation unclear<' in html


def test_the_new_case_form_costs_a_constant_number_of_queries(
    client, agent, desk_case_customer, desk_case_unit, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("desk:case_new")

    # session, user, customer, contacts, registered units, codes, priorities, and the
    # warranty (registration, contract) twice: for the suggested case type and for the note
    with django_assert_max_num_queries(11):
        response = client.get(url, {"customer": desk_case_customer.pk, "unit": desk_case_unit.pk})

    assert response.status_code == 200
