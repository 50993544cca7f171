"""Forms of the incoming-call screen: the caller search and the call note on an open case.

Forms check the shape of the input; `caseflow.cases.services.record_event` keeps the rules.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.cases.models import CallOutcome
from caseflow.ui.forms import CallDurationField

# 4:30, 04:30, 1:04:30, or plain minutes: 5
AGREED_LIMIT = 5000


class CallerSearchForm(forms.Form):
    q = forms.CharField(label=_("Caller"), required=False, max_length=200, strip=True)


class CallNoteForm(forms.Form):
    """A call about an open case: how long, how it ended, what was agreed."""

    duration = CallDurationField()
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, initial=CallOutcome.REACHED
    )
    text = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=AGREED_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
