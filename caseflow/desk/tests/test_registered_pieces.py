"""An app joins the case page, the case list and the page shell through the registry
(`caseflow.ui.registry`), without a line in the desk: here a stand-in "SLA" app with a panel,
an action with a shortcut, a timeline entry type, a list column, a list filter and a part of
every page (its templates in tests/templates/sla/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from caseflow.cases import services
from caseflow.cases.models import EventType, TimelineEvent
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.ui.forms import DeskForm
from caseflow.ui.registry import (
    Action,
    ListColumn,
    ListFilter,
    Panel,
    ShellPart,
    TimelineEntry,
    registry,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TEMPLATES = Path(__file__).resolve().parent / "templates"


class EscalateForm(DeskForm):
    slug = "escalate"

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", max_length=200)


def escalate_form(request, case, bound):
    if bound:
        return EscalateForm(request.POST)
    return EscalateForm(initial={"version": case.version})


def escalate(request, case, form):
    reason = form.cleaned_data["reason"]
    if reason == "refuse":
        raise DomainError("Not escalated today.", field="reason")
    services.record_event(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        event_type="note",
        text=f"Escalated: {reason}",
    )
    return ""


@pytest.fixture
def sla_app(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES]}]
    with registry.overlay():
        registry.panel(
            Panel(
                "sla",
                "sla/_panel.html",
                placement="side",
                order=5,
                refresh=True,
                context=lambda request, case: {"due": f"tomorrow ({case.number})"},
            )
        )
        registry.action(
            Action(
                name="escalate",
                label="Escalate",
                panel="sla",
                key="g",
                help="Escalate to the team lead",
                template="sla/_form_escalate.html",
                form=escalate_form,
                perform=escalate,
                done="%(number)s escalated.",
                allowed=lambda user, case: case.status != "closed",
            )
        )
        registry.timeline_entry(
            TimelineEntry(
                "sla_breached",
                summarize=lambda events: [f"missed by {e.data['late']}" for e in events],
                template="sla/_breach.html",
            )
        )
        registry.list_column(
            ListColumn("due", "Due", lambda cases, context: [f"d<{c.pk}>" for c in cases], order=95)
        )
        registry.list_filter(
            ListFilter(
                "sla_subject",
                field=lambda: forms.CharField(label="Subject is", required=False),
                apply=lambda cases, value: cases.filter(subject=value),
            )
        )
        registry.shell_part(ShellPart("sla-notice", "sla/_notice.html"))
        yield


def detail(case) -> str:
    return reverse("desk:case_detail", args=[case.pk])


def test_the_panel_and_its_action_show_on_the_case_page(client, agent, desk_case, sla_app):
    client.force_login(agent)

    html = client.get(detail(desk_case)).content.decode()

    assert f"due tomorrow ({desk_case.number})" in html  # the panel's own data
    assert html.index('id="case-sla"') < html.index('id="case-log"')  # side, order 5 < 10
    action = re.search(r'<details class="case-action" id="action-escalate" data-key="g">', html)
    assert action is not None
    form = reverse("desk:case_action_form", args=[desk_case.pk, "escalate"])
    assert f"{form}?version={desk_case.version}" in html  # loaded when opened
    help_box = html[html.index('id="shortcuts"') :]
    assert '<kbd>g</kbd></dt><dd class="col-9">Escalate to the team lead' in help_box
    assert 'id="sla-notice"' in html


def test_the_action_form_loads_and_its_post_is_performed(client, agent, desk_case, sla_app):
    client.force_login(agent)
    form_url = reverse("desk:case_action_form", args=[desk_case.pk, "escalate"])
    post_url = reverse("desk:case_action", args=[desk_case.pk, "escalate"])
    assert post_url == f"{detail(desk_case)}escalate/"

    form = client.get(form_url, {"version": desk_case.version}, headers=HTMX)
    assert form.status_code == 200
    assert 'id="form-escalate"' in form.content.decode()
    assert f'action="{post_url}"' in form.content.decode()

    missing = client.post(post_url, {"version": desk_case.version}, headers=HTMX)
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()
    refused = client.post(post_url, {"version": 1, "reason": "refuse"}, headers=HTMX)
    assert refused.status_code == 422
    assert 'id="escalate-reason-error"' in refused.content.decode()  # on its field
    assert "Not escalated today." in refused.content.decode()

    done = client.post(post_url, {"version": 1, "reason": "customer waits"}, headers=HTMX)
    assert done.status_code == 200 and done["HX-Reswap"] == "none"
    assert '"action": "escalate"' in done["HX-Trigger"]
    html = done.content.decode()
    assert f"{desk_case.number} escalated." in html
    assert 'id="case-sla" hx-swap-oob="true"' in html  # refresh=True
    assert "Escalated: customer waits" in html  # the timeline, swapped in too
    plain = client.post(post_url, {"version": 1, "reason": "again"})
    assert plain.status_code == 302 and plain["Location"] == detail(desk_case)


def test_an_action_the_viewer_may_not_use_is_not_offered(client, agent, desk_case, sla_app):
    client.force_login(agent)
    form_url = reverse("desk:case_action_form", args=[desk_case.pk, "escalate"])
    never = Action(
        name="escalate",
        label="Escalate",
        panel="sla",
        template="sla/_form_escalate.html",
        form=escalate_form,
        perform=escalate,
        allowed=lambda user, case: False,
    )
    with registry.overlay():
        registry.unregister("action", "escalate")
        registry.action(never)
        html = client.get(detail(desk_case)).content.decode()
        assert 'id="action-escalate"' not in html and 'id="case-sla"' in html
        assert client.get(form_url, headers=HTMX).status_code == 403


def test_a_timeline_entry_is_summarised_and_shown_by_its_partial(client, agent, desk_case, sla_app):
    kind = EventType.objects.create(
        code="sla_breached", name="SLA breached", category="system", is_system=True
    )
    TimelineEvent.objects.create(
        case=desk_case,
        event_type=kind,
        occurred_at=timezone.now(),
        channel=Channel.SYSTEM,
        text="Resolution target",
        data={"late": "2 h"},
    )
    client.force_login(agent)

    html = client.get(detail(desk_case)).content.decode()

    assert "missed by 2 h" in html
    assert '<div class="sla-breach" data-late="2 h">Resolution target</div>' in html


def test_a_list_column_and_a_list_filter(client, agent, desk_case_open, sla_app):
    pump = desk_case_open(subject="Pump is loud")
    other = desk_case_open(subject="Grinder jams")
    client.force_login(agent)

    html = client.get(reverse("desk:cases")).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]*)', html)
    assert headers[-2:] == ["Due", "Received"]
    assert f"<td>d&lt;{pump.pk}&gt;</td>" in html  # escaped
    assert 'name="sla_subject"' in html and '<details class="mt-2 case-more-filters">' in html

    filtered = client.get(reverse("desk:cases"), {"sla_subject": "Grinder jams"})
    html = filtered.content.decode()
    assert f'data-case-row="{other.pk}"' in html and f'data-case-row="{pump.pk}"' not in html
    assert '<details class="mt-2 case-more-filters" open>' in html
