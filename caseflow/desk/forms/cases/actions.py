"""The forms of the actions on a case: note, status, assignment, details, supplies,
resolving, taking, closing, reopening.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.cases import status as rules
from caseflow.cases.models import Case, CaseType
from caseflow.catalog.models import Product
from caseflow.desk.forms.cases.fields import (
    NOTE_LIMIT,
    REASON_LIMIT,
    TEXT_LIMIT,
    Choices,
    CodePairs,
    Lookup,
    blank_choice,
    code_pair,
    codes_of,
    version_field,
)
from caseflow.ui.forms import DeskForm, MultipleFileField


class NoteForm(DeskForm):
    slug = "note"

    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=_("Files"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("text") and not data.get("files") and not self.errors:
            self.add_error("text", _("Write something or attach a file."))
        return data


class StatusForm(DeskForm):
    slug = "status"

    version = version_field()
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_LIMIT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What `change_status` accepts from the case's status (the rules of `cases.status`).
        allowed = rules.allowed_targets(case)
        self.fields["status"].choices = [(s.value, s.label) for s in allowed]


class AssignForm(DeskForm):
    slug = "assign"

    version = version_field()
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(u.pk): u for u in choices.owners}
        self.teams = {str(t.pk): t for t in choices.teams}
        self.fields["owner"].choices = blank_choice(_("Nobody")) + [
            (k, str(u)) for k, u in self.owners.items()
        ]
        self.fields["team"].choices = blank_choice(_("Keep the team")) + [
            (k, t.name) for k, t in self.teams.items()
        ]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "owner": self.owners.get(self.cleaned_data.get("owner") or ""),
            "team": self.teams.get(self.cleaned_data.get("team") or ""),
        }


class DetailsForm(CodePairs, DeskForm):
    slug = "edit"

    version = version_field()
    subject = forms.CharField(label=_("Subject"), max_length=200)
    symptom = forms.CharField(
        label=_("Symptom"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    diagnosis = forms.CharField(
        label=_("Diagnosis"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    solution = forms.CharField(
        label=_("Solution"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    promised_by = forms.DateField(
        label=_("Promised by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    priority = forms.ChoiceField(label=_("Priority"))
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    case_type_reason = forms.CharField(
        label=_("Reason for the case type"), required=False, max_length=500
    )
    reason_general, reason_specific = code_pair("reason")

    def __init__(self, *args: Any, choices: Choices, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["priority"].choices = [
            (p.code, p.name) for p in choices.priorities if p.active or p.pk == case.priority_id
        ]
        self._offer_codes("reason", choices.reason_codes, codes_of(case, "reason"))

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        return {
            "version": case.version,
            "subject": case.subject,
            "symptom": case.symptom,
            "diagnosis": case.diagnosis,
            "solution": case.solution,
            "promised_by": case.promised_by,
            "priority": case.priority.code,
            "case_type": case.case_type,
            "case_type_reason": case.case_type_reason,
            "reason_general": case.reason_general_id or "",
            "reason_specific": case.reason_specific_id or "",
        }

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("subject", "symptom", "diagnosis", "solution", "promised_by", "case_type")
        changes = {name: data[name] for name in names}
        changes["case_type_reason"] = data.get("case_type_reason", "")
        changes["priority"] = self.choices.priority(data["priority"])
        changes.update(self.code_kwargs("reason"))
        return changes


class SupplyForm(DeskForm):
    slug = "supply"

    product = forms.CharField(label=_("Article number"), max_length=40)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
        initial=Decimal("1"),
    )  # fmt: skip
    unit_price = forms.DecimalField(
        label=_("Unit price"), required=False, max_digits=12, decimal_places=2,
        min_value=Decimal("0"), help_text=_("empty: the product's price"),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), required=False, max_length=200)

    def clean_product(self) -> Product:
        found = Lookup.product(self.cleaned_data["product"])
        if found is None:
            raise forms.ValidationError(_("Enter an article number."))
        return found


class ResolveForm(CodePairs, DeskForm):
    """Resolution codes and the solution; the reason codes come prefilled from the case (left
    empty, the case keeps its own)."""

    slug = "resolve"

    version = version_field()
    resolution_general, resolution_specific = code_pair("resolution")
    reason_general, reason_specific = code_pair("reason")
    solution = forms.CharField(
        label=_("Solution"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, choices: Choices, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every code is accepted here; whether a specific code belongs to the general one is
        # the service's rule (and its message). The selects show only the matching ones.
        self._offer_codes("resolution", choices.resolution_codes)
        self._offer_codes("reason", choices.reason_codes, codes_of(case, "reason"))

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        return {
            "version": case.version,
            "solution": case.solution,
            "reason_general": case.reason_general_id or "",
            "reason_specific": case.reason_specific_id or "",
        }

    def service_kwargs(self) -> dict[str, Any]:
        return {
            **self.code_kwargs("resolution"),
            **self.code_kwargs("reason"),
            "solution": self.cleaned_data.get("solution", ""),
        }


class TakeForm(DeskForm):
    """ "Take it": one button; the posted form is the assignment to the agent."""

    slug = "take"

    version = version_field()


class CloseForm(DeskForm):
    slug = "close"

    version = version_field()


class ReopenForm(DeskForm):
    slug = "reopen"

    version = version_field()
    reason = forms.CharField(
        label=_("Why is it reopened?"), max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
