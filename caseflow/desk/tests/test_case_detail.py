"""The case detail page, its timeline, attachments, the code options and opening a case."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseflow.cases import services
from caseflow.cases.models import Case, CaseType
from caseflow.catalog.tests.factories import ServiceContractFactory
from caseflow.core.models import Channel
from caseflow.desk.views.cases import timeline as views

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ACTION_FORMS = (
    "form-note",
    "form-call",
    "form-status",
    "form-assign",
    "form-take",
    "form-edit",
    "form-supply",
    "form-resolve",
    "form-close",
    "form-reopen",
)


def detail(case: Case) -> str:
    return reverse("desk:case_detail", args=[case.pk])


def events_in(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-event="(\d+)"', response.content.decode())]


def test_the_header_shows_what_the_agent_needs(client, agent, desk_case_open, desk_case_unit):
    agent.time_zone = "America/New_York"
    agent.save()
    ServiceContractFactory(
        customer=desk_case_unit.registrations.get().customer,
        number="SC-GOLD-1",
        level="premium",
        units=[desk_case_unit],
    )
    received = datetime(2026, 3, 2, 4, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    case = desk_case_open(
        unit=desk_case_unit,
        case_type=CaseType.BILLABLE,
        case_type_reason="Dropped on the floor",
        received_at=received,
    )
    client.force_login(agent)

    response = client.get(detail(case))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        case.number,
        "Pump is loud",
        "New",
        "Normal",
        "Billable",
        "suggested: Warranty",
        "Dropped on the floor",
        "Kaffeehaus Sonne GmbH",
        "EM2000-0001",
        "In warranty until",
        "SC-GOLD-1",
        "Loud rattling when brewing",
    ):
        assert text in html, text
    # 04:30 UTC is 23:30 the evening before in New York
    assert "2026-03-01T23:30:00-05:00" in html
    # customer and unit pages may not exist yet: the names are shown without a link
    assert response.context["case"] == case


def test_an_invisible_or_missing_case_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("desk:case_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("count", [3, 50])
def test_query_count_does_not_grow_with_the_timeline(
    client, agent, desk_case, count, django_assert_max_num_queries
):
    for n in range(count):
        services.record_event(
            actor=agent,
            channel=Channel.PHONE,
            case=desk_case,
            event_type="call_in" if n % 2 else "note",
            text=f"Entry {n}",
        )
    services.assign_case(actor=agent, channel=Channel.UI, case=desk_case, owner=agent)
    client.force_login(agent)

    # session, user, case with its relations, supplies, warranty (registration, contract),
    # timeline, attachments, assigned owners (for the event texts), priorities, owners, teams
    # and resolution codes for the forms
    with django_assert_max_num_queries(14):
        response = client.get(detail(desk_case))

    assert response.status_code == 200
    assert len(events_in(response)) == min(count + 3, views.TIMELINE_PAGE)


def test_query_count_is_the_same_for_3_and_50_events(client, agent, desk_case):
    client.force_login(agent)

    def measure() -> int:
        client.get(detail(desk_case))  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            client.get(detail(desk_case))
        return len(queries)

    for n in range(3):
        services.record_event(
            actor=agent, channel=Channel.UI, case=desk_case, event_type="note", text=f"{n}"
        )
    few = measure()
    for n in range(47):
        services.record_event(
            actor=agent, channel=Channel.UI, case=desk_case, event_type="note", text=f"{n}"
        )
    assert measure() == few


def test_the_timeline_is_newest_first_and_filtered_by_chips(client, agent, desk_case):
    note = services.record_event(
        actor=agent, channel=Channel.UI, case=desk_case, event_type="note", text="A note"
    )
    call = services.record_event(
        actor=agent,
        channel=Channel.PHONE,
        case=desk_case,
        event_type="call_out",
        call_duration=275,
        call_outcome="call_back",
        text="Calls back at 3",
    )
    client.force_login(agent)
    timeline = reverse("desk:case_timeline", args=[desk_case.pk])

    page = client.get(detail(desk_case))
    shown = events_in(page)
    assert shown.index(call.pk) < shown.index(note.pk)
    assert "4:35" in page.content.decode() and "Call-back arranged" in page.content.decode()

    calls = client.get(timeline, {"show": "call"}, headers=HTMX)
    assert events_in(calls) == [call.pk]
    assert 'aria-pressed="true" data-chip="call"' in calls.content.decode()
    both = client.get(timeline, {"show": ["call", "note"]}, headers=HTMX)
    assert set(events_in(both)) == {call.pk, note.pk}
    system = client.get(timeline, {"show": "system"}, headers=HTMX)
    assert note.pk not in events_in(system) and events_in(system)
    # without htmx the timeline is part of the page
    assert client.get(timeline, {"show": "call"}).status_code == 302


def test_older_entries_come_in_pages(client, agent, desk_case, monkeypatch):
    monkeypatch.setattr(views, "TIMELINE_PAGE", 2)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    for n in range(3):
        services.record_event(
            actor=agent,
            channel=Channel.UI,
            case=desk_case,
            event_type="note",
            text=f"Note {n}",
            occurred_at=start + timedelta(minutes=n),
        )
    client.force_login(agent)

    page = client.get(detail(desk_case)).content.decode()
    older = re.search(r'hx-get="([^"]+cursor=[^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(older, headers=HTMX)

    # page 1: the two system events of today; page 2: the two newest notes
    html = response.content.decode()
    assert "Note 2" in html and "Note 1" in html and "Note 0" not in html
    assert "<section" not in html and "Older entries" in html


def test_attachments_download_as_files_never_inline(client, agent, desk_case, desk_case_open):
    event = services.record_event(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        event_type="note",
        text="Photo of the pump",
        uploads=[services.Upload(name="pump.png", content=b"\x89PNG\r\n\x1a\n" + b"0" * 64)],
    )
    attachment = event.attachments.get()
    other = desk_case_open()
    client.force_login(agent)
    url = reverse("desk:case_attachment", args=[desk_case.pk, attachment.pk])

    assert url in client.get(detail(desk_case)).content.decode()
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    wrong_case = reverse("desk:case_attachment", args=[other.pk, attachment.pk])
    assert client.get(wrong_case).status_code == 404


def test_specific_codes_are_offered_for_the_chosen_general_code(client, agent, desk_case_codes):
    client.force_login(agent)
    url = reverse("desk:case_specific_codes")

    html = client.get(url, {"resolution_general": desk_case_codes["FIX"].pk}).content.decode()

    assert "FIX-PART" in html and "FIX-UPD" in html
    assert "ADV-PHONE" not in html
    assert "<option" in client.get(url, {"resolution_general": "x"}).content.decode()


def test_a_read_only_role_sees_no_action_forms(client, quality_manager, desk_case):
    client.force_login(quality_manager)

    html = client.get(detail(desk_case)).content.decode()

    assert desk_case.number in html
    for form in ACTION_FORMS:
        assert f'id="{form}"' not in html, form
    assert 'data-key="n"' not in html and 'data-key="r"' not in html


def test_a_technician_may_take_a_case_but_not_assign_others(client, technician, desk_case):
    client.force_login(technician)
    html = client.get(detail(desk_case)).content.decode()
    assert 'id="form-take"' in html
    assert 'id="action-assign"' not in html
    assert 'id="form-note"' in html and 'id="action-resolve"' in html


def test_the_workflow_offers_only_what_the_status_allows(client, agent, desk_case, desk_case_codes):
    client.force_login(agent)
    html = client.get(detail(desk_case)).content.decode()
    assert 'id="action-status"' in html
    form = reverse("desk:case_action_form", args=[desk_case.pk, "status"])
    status_form = client.get(form, headers=HTMX).content.decode()
    statuses = re.search(r'<select name="status".*?</select>', status_form, re.S).group(0)
    assert 'value="open"' in statuses and 'value="waiting_vendor"' in statuses
    assert 'value="resolved"' not in statuses and 'value="closed"' not in statuses
    assert 'id="form-close"' not in html and 'id="form-reopen"' not in html

    services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        resolution_general=desk_case_codes["ADV"],
        resolution_specific=desk_case_codes["ADV-PHONE"],
    )
    html = client.get(detail(desk_case)).content.decode()
    assert 'id="form-close"' in html and 'id="form-reopen"' in html
    assert 'id="action-status"' not in html and 'id="action-resolve"' not in html


def test_the_shortcuts_are_listed_and_bound(client, agent, desk_case):
    client.force_login(agent)
    html = client.get(detail(desk_case)).content.decode()
    help_box = html[html.index('id="shortcuts"') :]
    for key in "ncar":
        assert f"<kbd>{key}</kbd>" in help_box
        assert f'data-key="{key}"' in html


def test_closing_has_a_shortcut_listed_in_the_help(client, agent, desk_case, desk_case_codes):
    services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=desk_case,
        resolution_general=desk_case_codes["ADV"],
        resolution_specific=desk_case_codes["ADV-PHONE"],
    )
    client.force_login(agent)

    html = client.get(detail(desk_case)).content.decode()

    help_box = html[html.index('id="shortcuts"') :]
    assert "<kbd>d</kbd>" in help_box and "Close the case" in help_box
    # `d` opens the close form (a second step: one key alone never closes a case)
    close = r'<details class="case-action" id="action-close" data-key="d".*?</details>'
    action = re.search(close, html, re.S)
    assert action is not None and 'id="form-close"' in action.group(0)
    assert html.count('data-key="d"') == 1


# --- opening a case -----------------------------------------------------------------------


def test_new_case_is_prefilled_from_the_unit(client, agent, desk_case_customer, desk_case_unit):
    client.force_login(agent)
    url = reverse("desk:case_new")

    response = client.get(
        url,
        {
            "customer": desk_case_customer.pk,
            "unit": desk_case_unit.pk,
            "product": desk_case_unit.product_id,
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["case_type"] == CaseType.WARRANTY
    assert form.initial["unit"] == str(desk_case_unit.pk)
    assert form.initial["product"] == "EM-2000"
    html = response.content.decode()
    assert "Kaffeehaus Sonne GmbH" in html and "In warranty until" in html


def test_new_case_is_opened_and_shown(client, agent, desk_case_customer, desk_case_unit):
    client.force_login(agent)
    response = client.post(
        reverse("desk:case_new"),
        {
            "customer": desk_case_customer.number,
            "unit": desk_case_unit.pk,
            "subject": "Grinder jammed",
            "symptom": "Beans stuck",
            "channel": "phone",
            "case_type": "warranty",
            "priority": "P2",
            "take": "on",
        },
    )

    case = Case.objects.get(subject="Grinder jammed")
    assert response.status_code == 302
    assert response["Location"] == detail(case)
    assert case.owner == agent and case.unit == desk_case_unit
    assert case.product_id == desk_case_unit.product_id and case.priority.code == "P2"


def test_new_case_with_bad_input_shows_the_message_and_opens_nothing(
    client, agent, desk_case_customer, desk_case_unit
):
    client.force_login(agent)
    response = client.post(
        reverse("desk:case_new"),
        {
            "customer": desk_case_customer.number,
            "unit": desk_case_unit.pk,
            "subject": "Grinder jammed",
            "channel": "phone",
            "case_type": "billable",  # the unit is in warranty
            "priority": "P3",
        },
    )

    assert response.status_code == 422
    assert "say why it should be Billable" in response.content.decode()
    assert not Case.objects.exists()


def test_roles_without_case_create_cannot_open_cases(client, quality_manager, desk_case_customer):
    client.force_login(quality_manager)
    assert client.get(reverse("desk:case_new")).status_code == 403
    response = client.post(
        reverse("desk:case_new"),
        {"customer": desk_case_customer.number, "subject": "x", "channel": "phone"},
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_imported_system_events_with_unexpected_details_still_render(client, agent, desk_case):
    """Bulk-loaded or migrated history may carry ids where the services write codes."""
    from caseflow.cases.models import EventType, TimelineEvent

    for code, data in (
        ("resolved", {"general": 24, "specific": 26}),
        ("field_changed", {"fields": ["symptom", 7]}),
        ("status_changed", {"from": "open", "to": "waiting_customer"}),
    ):
        TimelineEvent.objects.create(
            case=desk_case,
            event_type=EventType.objects.get(code=code),
            occurred_at=desk_case.received_at,
            channel="system",
            data=data,
        )
    client.force_login(agent)
    response = client.get(reverse("desk:case_detail", args=[desk_case.pk]))
    assert response.status_code == 200
    assert "24 / 26" in response.content.decode()


# --- action forms loaded when opened ---------------------------------------------------------


def action_form_url(case: Case, name: str) -> str:
    return reverse("desk:case_action_form", args=[case.pk, name])


def test_the_page_carries_placeholders_that_load_each_action_form_when_opened(
    client, agent, desk_case
):
    client.force_login(agent)
    html = client.get(detail(desk_case)).content.decode()

    assert 'id="form-note"' in html  # the commonest action is on the page at once
    for name in ("call", "status", "assign", "edit", "supply", "resolve"):
        assert f'data-lazy-form="{name}"' in html, name
        assert f'id="form-{name}"' not in html, name
        url = f"{action_form_url(desk_case, name)}?version={desk_case.version}"
        assert f'hx-get="{url}"' in html.replace("&amp;", "&"), name
        form = client.get(url, headers=HTMX)
        assert form.status_code == 200
        assert f'id="form-{name}"' in form.content.decode(), name


def test_a_lazy_form_keeps_the_version_the_page_showed(client, agent, desk_case):
    """Someone else's change between loading the page and opening the form is not
    overwritten silently: the form carries the page's version and saving answers 409."""
    client.force_login(agent)
    shown = desk_case.version
    services.update_case(
        actor=agent, channel=Channel.UI, case=desk_case, version=shown, diagnosis="by someone else"
    )
    form = client.get(action_form_url(desk_case, "status"), {"version": shown}, headers=HTMX)
    assert f'name="version" value="{shown}"' in form.content.decode()

    response = client.post(
        reverse("desk:case_status", args=[desk_case.pk]),
        {"version": shown, "status": "waiting_customer"},
        headers=HTMX,
    )
    assert response.status_code == 409
    desk_case.refresh_from_db()
    assert (desk_case.diagnosis, desk_case.status) == ("by someone else", "new")


def test_a_lazy_form_is_refused_to_a_role_that_may_not_use_it(client, technician, desk_case):
    client.force_login(technician)
    assert client.get(action_form_url(desk_case, "assign"), headers=HTMX).status_code == 403
    assert client.get(action_form_url(desk_case, "bogus"), headers=HTMX).status_code == 404


def test_without_javascript_the_form_opens_on_the_case_page(client, agent, desk_case):
    client.force_login(agent)
    response = client.get(action_form_url(desk_case, "resolve"))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert 'id="form-resolve"' in html
    assert re.search(r'<details[^>]*id="action-resolve"[^>]*\sopen>', html)
