"""The case list's rows prepared in Python print what the template filters printed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from caseflow.accounts.models import Team
from caseflow.cases.models import CaseStatus, Priority
from caseflow.desk.rows import case_rows, clip, pk_url

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


def test_a_row_holds_each_cell(agent, desk_case_open, desk_case_unit):
    team = Team.objects.create(name="Espresso")
    case = desk_case_open(subject="x" * 120, unit=desk_case_unit, owner=agent, team=team)
    case.priority = Priority.objects.get(pk=case.priority_id)
    with translation.override("de"), timezone.override("Europe/Berlin"):
        (row,) = case_rows([case])
        assert row["status_label"] == str(CaseStatus.NEW.label)  # in the active language
    assert row["url"] == reverse("desk:case_detail", args=[case.pk])
    assert row["subject"] == "x" * 89 + "…"
    assert row["serial"] == desk_case_unit.serial
    assert row["product"] == desk_case_unit.product.sku
    assert row["owner"] == str(agent) and row["team"] == "Espresso"
    assert row["received_iso"] == case.received_at.isoformat()


def test_a_case_without_unit_owner_or_team_leaves_those_cells_empty(desk_case_open):
    case = desk_case_open()
    case.priority = Priority.objects.get(pk=case.priority_id)
    (row,) = case_rows([case])
    assert (row["serial"], row["owner"], row["team"]) == ("", "", "")


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
