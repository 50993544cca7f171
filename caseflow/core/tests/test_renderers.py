"""The form renderer's Python widgets print what Django's widget templates print."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe

from caseflow.core.renderers import Renderer

HOSTILE = '"><script>alert(1)</script>'
CHOICES = [("", "Anyone"), ("me", "Me"), ("7", "Ana <b>Rodríguez</b> & Co"), (8, "Eight")]
GROUPED = [
    ("", "Any code"),
    ("Advice", [("1", "By phone"), ("2", "On site")]),
    ("Repair <b>", [("3", "Board"), ("1", "Again one")]),
    ("9", "Other"),
]
ATTRS = {"id": "f-x", "class": "form-control", "required": True, "disabled": False, "data-n": 3}

CASES = [
    (forms.TextInput(), 'Grinder <jammed> & "loud"'),
    (forms.TextInput(attrs={"placeholder": HOSTILE, "maxlength": 20}), None),
    (forms.TextInput(), mark_safe("<b>safe</b>")),
    (forms.NumberInput(attrs={"min": 0, "step": "0.01"}), 2.5),
    (forms.EmailInput(), "a@example.com"),
    (forms.HiddenInput(), 42),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 3, 2)),
    (forms.PasswordInput(), "secret"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 3}), "line one\nline <two>"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES), "me"),
    (forms.Select(choices=CHOICES), 8),
    (forms.Select(choices=CHOICES), "not-offered"),
    (forms.Select(choices=GROUPED), "1"),
    (forms.Select(choices=[]), ""),
    (forms.SelectMultiple(choices=GROUPED), ["1", "9"]),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize(("widget", "value"), CASES, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("attrs", [None, ATTRS], ids=["plain", "attrs"])
def test_same_markup_as_djangos_templates(widget, value, attrs):
    ours = widget.render("field", value, attrs, renderer=Renderer())
    django = widget.render("field", value, attrs, renderer=DjangoTemplates())
    assert parse_html(ours) == parse_html(django)
    assert ours == django or ours.split() == django.split()  # at most whitespace differs


def test_hostile_values_and_labels_are_escaped():
    select = forms.Select(choices=[(HOSTILE, "<img src=x onerror=alert(1)>")])
    html = select.render("x", HOSTILE, renderer=Renderer())
    html += forms.Textarea().render("y", "</textarea><script>x</script>", renderer=Renderer())
    html += forms.TextInput(attrs={"title": HOSTILE}).render("z", HOSTILE, renderer=Renderer())
    assert "<script>" not in html and "<img" not in html


def test_other_widgets_use_their_templates():
    radio = forms.RadioSelect(choices=CHOICES)
    ours = radio.render("r", "me", renderer=Renderer())
    assert ours == radio.render("r", "me", renderer=DjangoTemplates())


def test_it_is_the_configured_renderer(settings):
    assert settings.FORM_RENDERER == "caseflow.core.renderers.Renderer"
