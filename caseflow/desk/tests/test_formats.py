"""Dates, times and money as a European company writes them: English day first with a
24-hour clock (caseflow/formats/en), German "07.12.2026 14:05", Spanish "7/12/2026 14:05"
(caseflow/formats/de, es); amounts with Babel."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from caseflow.ui.text import short_datetime

pytestmark = pytest.mark.django_db

# 15:53 UTC is 17:53 in Berlin (summer time): a time a 12-hour clock writes as "5:53 p.m."
MOMENT = datetime(2026, 5, 4, 15, 53, tzinfo=zoneinfo.ZoneInfo("UTC"))


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "04/05/2026 17:53", "4 May 2026 17:53"),
        ("de", "04.05.2026 17:53", "4. Mai 2026 17:53"),
        ("es", "4/5/2026 17:53", "4 de mayo de 2026 17:53"),
    ],
)
def test_dates_are_day_first_with_a_24_hour_clock(language, short, long):
    with translation.override(language), timezone.override("Europe/Berlin"):
        assert render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=MOMENT) == short
        assert render('{{ m|date:"DATE_FORMAT" }} {{ m|time:"TIME_FORMAT" }}', m=MOMENT) == long
        assert short_datetime()(MOMENT) == short


def test_english_short_dates_are_not_american():
    with translation.override("en"):
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=date(2026, 5, 4)) == "04/05/2026"
        assert "p.m." not in render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=MOMENT)


def test_a_typed_english_date_is_read_day_first_and_written_as_iso_into_date_inputs():
    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("en"):
        assert Form({"day": "04/05/2026"}).is_valid()
        bound = Form({"day": "04/05/2026"})
        bound.is_valid()
        assert bound.cleaned_data["day"] == date(2026, 5, 4)
        # <input type="date"> only takes ISO dates
        assert 'value="2026-05-04"' in str(Form(initial={"day": date(2026, 5, 4)})["day"])


def test_the_case_page_shows_the_received_time_day_first(client, agent, desk_case_open):
    case = desk_case_open(received_at=MOMENT)
    client.force_login(agent)

    html = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()

    assert "04/05/2026 17:53" in html
    assert "5:53 p.m." not in html and "05/04/2026" not in html


def test_the_case_list_rows_are_day_first(client, agent, desk_case_open):
    desk_case_open(received_at=MOMENT)
    client.force_login(agent)

    html = client.get(reverse("desk:cases")).content.decode()

    assert "04/05/2026 17:53" in html


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "07/12/2026 14:05"), ("de", "07.12.2026 14:05"), ("es", "7/12/2026 14:05")],
)
def test_the_issues_examples(language, shown):
    moment = datetime(2026, 12, 7, 13, 5, tzinfo=zoneinfo.ZoneInfo("UTC"))  # 14:05 in Berlin
    with translation.override(language), timezone.override("Europe/Berlin"):
        assert short_datetime()(moment) == shown
        assert render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=moment) == shown


@pytest.mark.parametrize("language", ["de", "es"])
def test_date_inputs_stay_iso_and_typed_dates_are_read_day_first(language):
    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    typed = {"de": "07.12.2026", "es": "07/12/2026"}[language]
    with translation.override(language):
        bound = Form({"day": typed})
        assert bound.is_valid() and bound.cleaned_data["day"] == date(2026, 12, 7)
        assert Form({"day": "2026-12-07"}).is_valid()
        assert 'value="2026-12-07"' in str(Form(initial={"day": date(2026, 12, 7)})["day"])


@pytest.mark.parametrize(
    ("language", "small", "large"),
    [
        ("en", "€1,234.50", "€12,345.50"),
        ("de", "1.234,50\xa0€", "12.345,50\xa0€"),
        ("es", "1234,50\xa0€", "12.345,50\xa0€"),  # Spanish groups from five digits on
    ],
)
def test_money_in_the_readers_language(language, small, large):
    with translation.override(language):
        assert render("{% load ui %}{{ a|money:'EUR' }}", a=Decimal("1234.5")) == small
        assert render("{% load ui %}{{ a|money:'EUR' }}", a=Decimal("12345.50")) == large
        assert render("{% load ui %}{{ a|money }}", a=None) == ""


def test_the_case_page_shows_a_german_agent_german_times_and_amounts(
    client, agent, desk_case_open, settings
):
    agent.language, agent.time_zone = "de", "America/New_York"
    agent.save()
    case = desk_case_open(received_at=MOMENT)  # 15:53 UTC: 11:53 in New York
    client.force_login(agent)

    html = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()

    assert "04.05.2026 11:53" in html
    assert '<html lang="de">' in html
