"""Opening a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.cases.models import CASE_CHANNELS, CaseType
from caseflow.catalog.models import Product, Unit
from caseflow.customers.models import Contact, Customer
from caseflow.desk.forms.cases.fields import (
    TEXT_LIMIT,
    Choices,
    CodePairs,
    Lookup,
    blank_choice,
    code_pair,
)
from caseflow.ui.forms import DeskForm


class CaseOpenForm(CodePairs, DeskForm):
    """A new case, usually on a unit picked on the incoming-call screen."""

    slug = "new"

    customer = forms.CharField(label=_("Customer (number)"), max_length=20)
    contact = forms.ChoiceField(label=_("Contact"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    product = forms.CharField(label=_("Product (article number)"), required=False, max_length=40)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    symptom = forms.CharField(
        label=_("Symptom"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(
            attrs={"rows": 4}
        )
    )  # fmt: skip
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in CASE_CHANNELS]
    )
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    case_type_reason = forms.CharField(
        label=_("Reason for another case type"), required=False, max_length=500
    )
    priority = forms.ChoiceField(label=_("Priority"))
    promised_by = forms.DateField(
        label=_("Promised by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason_general, reason_specific = code_pair("reason")
    take = forms.BooleanField(label=_("Assign to me"), required=False)

    def __init__(
        self,
        *args: Any,
        choices: Choices,
        customer: Customer | None,
        contacts: list[Contact],
        units: list[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._offer_codes("reason", choices.reason_codes)
        self.choices = choices
        self.customer_obj = customer
        self.units = {str(u.pk): u for u in units}
        self.contacts = {str(c.pk): c for c in contacts}
        self.fields["contact"].choices = blank_choice(_("—")) + [
            (str(c.pk), c.name) for c in contacts
        ]
        self.fields["unit"].choices = blank_choice(_("No unit")) + [
            (str(u.pk), f"{u.serial} · {u.product.name}") for u in units
        ]
        self.fields["priority"].choices = [(p.code, p.name) for p in choices.priorities if p.active]

    def clean_customer(self) -> Customer:
        found = Lookup.customer(self.cleaned_data["customer"])
        if found is None:
            raise forms.ValidationError(_("Pick the customer first."))
        return found

    def clean_product(self) -> Product | None:
        return Lookup.product(self.cleaned_data["product"])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "contact": self.contacts.get(data.get("contact") or ""),
            "unit": self.units.get(data.get("unit") or ""),
            "product": data.get("product"),
            "subject": data["subject"],
            "symptom": data.get("symptom", ""),
            "channel": data["channel"],
            "case_type": data["case_type"],
            "case_type_reason": data.get("case_type_reason", ""),
            "priority": self.choices.priority(data["priority"]),
            "promised_by": data.get("promised_by"),
            **self.code_kwargs("reason"),
        }
