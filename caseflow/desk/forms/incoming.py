"""Forms of the incoming-call screen: the caller search and the call note on an open case.

Forms check the shape of the input; `caseflow.cases.services.record_event` keeps the rules.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.cases.models import CallOutcome

# 4:30, 04:30, 1:04:30, or plain minutes: 5
DURATION = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)|(\d{1,3}))$")
AGREED_LIMIT = 5000


class CallerSearchForm(forms.Form):
    q = forms.CharField(label=_("Caller"), required=False, max_length=200, strip=True)


class CallNoteForm(forms.Form):
    """A call about an open case: how long, how it ended, what was agreed."""

    duration = forms.CharField(
        label=_("Duration (mm:ss)"),
        required=False,
        max_length=9,
        widget=forms.TextInput(
            attrs={"placeholder": "mm:ss", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, initial=CallOutcome.REACHED
    )
    text = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=AGREED_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_duration(self) -> int | None:
        value = self.cleaned_data["duration"].strip()
        if not value:
            return None
        match = DURATION.match(value)
        if match is None:
            raise forms.ValidationError(_("Enter the duration as mm:ss, for example 4:30."))
        hours, minutes, seconds, plain = match.groups()
        if plain is not None:
            return int(plain) * 60
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
