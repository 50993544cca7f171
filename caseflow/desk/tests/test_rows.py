"""The case list's rows prepared in Python print what the template filters printed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from caseflow.accounts.models import Team
from caseflow.cases.models import CaseStatus, Priority
from caseflow.desk.rows import case_rows, clip, pk_url
from caseflow.ui.registry import ListColumn, registry

pytestmark = pytest.mark.django_db


def test_pk_url_is_reverse_for_every_key():
    url = pk_url("desk:case_detail")
    for pk in (1, 9, 10, 987654, 12345678901):
        assert url(pk) == reverse("desk:case_detail", args=[pk])


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("", 5, ""), ("short", 5, "short"), ("longer", 5, "long…"), ("Größe ✓ü", 7, "Größe …")],
)
def test_clip(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


# The cells as the list's template printed them before they were prepared in Python.
REFERENCE = (
    "{% load i18n %}"
    '<td><a class="fw-semibold" href="{% url \'desk:case_detail\' case.pk %}">'
    "{{ case.number }}</a></td>"
    '<td class="subject">{{ case.subject|truncatechars:90 }}</td>'
    '<td class="wrap">{{ case.customer.name|truncatechars:40 }}</td>'
    "<td>{% if case.product %}{{ case.product.sku }}{% endif %}"
    "{% if case.unit %} · {{ case.unit.serial }}{% endif %}</td>"
    '<td><span class="badge case-status status-{{ case.status }}">'
    "{{ case.get_status_display }}</span></td>"
    '<td><span class="priority-rank-{{ case.priority.rank }}">'
    "{{ case.priority.name }}</span></td>"
    "<td>{{ case.get_case_type_display }}</td>"
    '<td class="wrap">{% if case.owner %}{{ case.owner }}{% else %}'
    "<span class=\"text-body-secondary\">{% translate 'unassigned' %}</span>{% endif %}</td>"
    "<td class=\"wrap\">{{ case.team.name|default:'' }}</td>"
    '<td><time datetime="{{ iso }}">'
    "{{ case.received_at|date:'SHORT_DATETIME_FORMAT' }}</time></td>"
)


def reference(case) -> str:
    context = {"case": case, "iso": case.received_at.isoformat()}
    return Template(REFERENCE).render(Context(context))


def test_a_row_prints_what_the_template_printed(agent, desk_case_open, desk_case_unit):
    team = Team.objects.create(name="Espresso & <Co>")
    case = desk_case_open(subject="x<b>" * 40, unit=desk_case_unit, owner=agent, team=team)
    case.priority = Priority.objects.get(pk=case.priority_id)
    with translation.override("de"), timezone.override("Europe/Berlin"):
        (row,) = case_rows([case])
        assert str(CaseStatus.NEW.label) in row["cells"]  # in the active language
        assert row["cells"] == reference(case)
    assert row["pk"] == case.pk
    assert "x&lt;b&gt;" in row["cells"] and "<b>" not in row["cells"]


def test_a_case_without_unit_owner_or_team_leaves_those_cells_empty(desk_case_open):
    case = desk_case_open()
    case.priority = Priority.objects.get(pk=case.priority_id)
    (row,) = case_rows([case])
    assert row["cells"] == reference(case)
    assert '<td class="wrap"></td>' in row["cells"] and "unassigned" in row["cells"]


def test_a_registered_column_gets_its_cells_escaped_in_its_place(desk_case_open):
    case = desk_case_open(subject="Pump")
    case.priority = Priority.objects.get(pk=case.priority_id)
    due = ListColumn("due", "Due", lambda cases, context: ["<soon>"] * len(cases), order=15)
    with registry.overlay():
        registry.list_column(due)
        (row,) = case_rows([case])
    cells = row["cells"]
    assert "<td>&lt;soon&gt;</td>" in cells
    assert cells.index("&lt;soon&gt;") < cells.index("Pump")  # after the number, before the subject


# --- search snippets --------------------------------------------------------------------------

S, E = "\ue000", "\ue001"  # the marks the search puts around a matched word


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (f"the {S}grinder{E} stops", "the <mark>grinder</mark> stops"),
        (f"{S}<b>{E} & <i>", "<mark>&lt;b&gt;</mark> &amp; &lt;i&gt;"),
        # the customer's text may hold the marks too: never an unclosed or a stray tag
        (f"{S}{S}a{E}{E} {E}b {S}c", "<mark>a</mark> b <mark>c</mark>"),
        (f"{E}{E}x", "x"),
        (f"line one\n\n  {S}two{E}\tthree", "line one <mark>two</mark> three"),
        ("", ""),
    ],
)
def test_a_snippet_is_escaped_and_every_mark_is_closed(snippet, expected):
    from caseflow.desk.rows import highlight

    assert str(highlight(snippet)) == expected


def test_a_snippet_is_cut_to_its_length_without_cutting_a_mark_open():
    from caseflow.desk.rows import highlight

    html = str(highlight(f"{S}{'x' * 10}{E} " + "y" * 500, limit=20))

    assert html == "<mark>xxxxxxxxxx</mark> yyyyyyyyy…"
    assert str(highlight(f"{'x' * 30} {S}word{E}", limit=10)) == "xxxxxxxxxx…"
    assert str(highlight(f"a {S}{'w' * 30}{E}", limit=10)) == "a <mark>wwwwwwww…</mark>"
