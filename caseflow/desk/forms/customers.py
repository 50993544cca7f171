"""The form that creates a customer while the caller is on the line."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Language
from caseflow.customers.models import CustomerKind

# The service names list items; the form has one phone and one e-mail field.
SERVICE_FIELDS = {"phones[0]": "phone", "emails[0]": "email", "contact_name": "name"}


class CustomerCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CustomerKind.choices, initial=CustomerKind.PERSON
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="de")
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    street = forms.CharField(label=_("Street"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        initial="DE",
        help_text=_("Two letters, e.g. DE, ES, AT"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")
            if name == "name":
                field.widget.attrs["autofocus"] = True

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "name": data["name"],
            "language": data["language"],
            "street": data["street"],
            "postal_code": data["postal_code"],
            "city": data["city"],
            "country": data["country"],
            "phones": [data["phone"]] if data["phone"] else [],
            "emails": [data["email"]] if data["email"] else [],
        }

    @staticmethod
    def field_for(service_field: str | None) -> str | None:
        """The form field a service error names (None: above the form)."""
        name = SERVICE_FIELDS.get(service_field or "", service_field or "")
        return name if name in CustomerCreateForm.base_fields else None
