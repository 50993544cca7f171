"""The case's "log a call" form: direction, number, duration, outcome, what was agreed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.cases.models import CallOutcome
from caseflow.ui.forms import CallDurationField, DeskForm

TEXT_LIMIT = 100000


class CallForm(DeskForm):
    slug = "call"

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=(("in", _("Incoming")), ("out", _("Outgoing"))),
        widget=forms.RadioSelect,
        initial="in",
    )
    duration = CallDurationField()
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, initial=CallOutcome.REACHED
    )
    # The number is normalised (E.164) by the service; `call` is the PBX's call being logged.
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    call = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
