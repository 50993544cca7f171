"""Form fields the desk's forms share."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# "4:30", "1:04:30" (h:mm:ss) or a plain "5" (minutes)
DURATION = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)|(\d{1,3}))$")


class CallDurationField(forms.Field):
    """A call's length as people type it (mm:ss, h:mm:ss or whole minutes) → seconds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Duration (mm:ss)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "mm:ss",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "maxlength": 9,
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        match = DURATION.match(text)
        if match is None:
            raise forms.ValidationError(_("Enter the duration as mm:ss, for example 4:30."))
        hours, minutes, seconds, plain = match.groups()
        if plain is not None:
            return int(plain) * 60
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
