"""Form helpers the screens of several apps share: Bootstrap classes and accessible errors
(`DeskForm`), several files in one field, a call's duration as people type it, and a
service's `DomainError` put on the field it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.core.errors import DomainError


class DeskForm(forms.Form):
    """Bootstrap classes on every widget, ids unique per form on a page full of forms, and
    fields with errors marked for the eye and for screen readers."""

    slug = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.slug}-%s")
        super().__init__(*args, **kwargs)
        self.fields.update(self.more_fields())
        for bound in self:
            widget = bound.field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def more_fields(self) -> dict[str, forms.Field]:
        """Fields added to the declared ones (e.g. registered filters), styled like them."""
        return {}

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.slug}-{name}-error"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a list of uploaded files (empty parts left out)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


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


def add_service_error(
    form: forms.Form, exc: DomainError, aliases: Mapping[str, str] | None = None
) -> None:
    """Put the service's message on the field it names (`aliases`: service field → form
    field, where the form calls it differently; a `customer_id` lands on `customer`), or
    above the form."""
    name = exc.field or ""
    name = (aliases or {}).get(name, name)
    if name not in form.fields and name.endswith("_id"):
        name = name[: -len("_id")]
    form.add_error(name if name in form.fields else None, exc.message)
