"""The screens' time and duration formats print what Django's template filters print."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest
from django.template import Context, Template
from django.utils import dateformat, timezone, translation

from caseflow.ui import text
from caseflow.ui.text import duration_text, short_datetime


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, ""), (0, "0:00"), (5, "0:05"), (245, "4:05"), (3723, "1:02:03"), (36000, "10:00:00")],
)
def test_duration_text(seconds, shown):
    assert duration_text(seconds) == shown


@pytest.mark.parametrize(
    ("language", "zone"),
    [
        ("en", "America/New_York"),
        ("de", "Asia/Tokyo"),
        ("de", "Europe/Berlin"),
        ("es", "Europe/Madrid"),
        ("es", "America/Mexico_City"),
        ("fr", "UTC"),
    ],
)
def test_short_datetime_prints_what_the_date_filter_prints(language, zone):
    moments = [
        datetime(2026, 3, 2, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
        datetime(2009, 12, 31, 0, 5, 9, tzinfo=zoneinfo.ZoneInfo("UTC")),
        datetime(2026, 10, 25, 1, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),  # summer time ends
    ]
    with translation.override(language), timezone.override(zone):
        when = short_datetime()
        for moment in moments:
            expected = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}').render(
                Context({"moment": moment})
            )
            assert when(moment) == expected


@pytest.mark.parametrize("pattern", ["d/m/Y H:i", "j.n.y G:i:s", "N j, Y, P", "\\\\d d", "Y-m-d"])
def test_short_datetime_prints_any_pattern_as_django_does(pattern, monkeypatch):
    """Patterns of the plain fields are printed without `dateformat`; any other character
    (month names, a.m./p.m., escapes) falls back to it."""
    monkeypatch.setattr(text.formats, "get_format", lambda name: pattern)
    moment = datetime(2026, 3, 2, 9, 5, 7, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with timezone.override("Europe/Berlin"):
        expected = dateformat.format(moment.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")), pattern)
        assert short_datetime()(moment) == expected
    assert (text._compiled(pattern) is None) == any(c in pattern for c in "NP\\")
