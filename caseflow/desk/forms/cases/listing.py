"""The case list's filters and saved views."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import User
from caseflow.cases.models import ACTIVE, CASE_CHANNELS, WAITING, Case, CaseStatus, CaseType, Code
from caseflow.catalog.models import Product
from caseflow.customers.models import Customer
from caseflow.desk.forms.cases.fields import Choices, Lookup, blank_choice
from caseflow.ui.forms import DeskForm
from caseflow.ui.registry import registry

OWNER_ME = "me"
OWNER_NONE = "none"
SORTS = (
    ("", _("Best match / newest")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("number", _("Case number, ascending")),
    ("-number", _("Case number, descending")),
    ("status", _("Status")),
    ("priority", _("Priority")),
    ("customer", _("Customer")),
)


class CaseFilterForm(DeskForm):
    """The case list's filters. All of them live in the URL (a GET form)."""

    slug = "filter"

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=CaseStatus.choices
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    case_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=blank_choice(_("Any type")) + CaseType.choices
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=blank_choice(_("Any channel")) + [(c.value, c.label) for c in CASE_CHANNELS],
    )
    product = forms.CharField(label=_("Product"), required=False, max_length=40)
    product_type = forms.ChoiceField(label=_("Product type"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    resolution = forms.ChoiceField(label=_("Resolution"), required=False)
    customer = forms.CharField(label=_("Customer"), required=False, max_length=20)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, choices: Choices, codes: list[Code] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = {str(code.pk): code for code in codes or []}
        self.fields["reason"].choices = _code_choices(codes or [], "reason", _("Any reason"))
        self.fields["resolution"].choices = _code_choices(
            codes or [], "resolution", _("Any resolution")
        )
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            (OWNER_ME, _("Me")),
            (OWNER_NONE, _("Unassigned")),
            *((str(u.pk), str(u)) for u in choices.owners),
        ]
        self.fields["team"].choices = blank_choice(_("Any team")) + [
            (str(t.pk), t.name) for t in choices.teams
        ]
        self.fields["priority"].choices = blank_choice(_("Any priority")) + [
            (p.code, p.name) for p in choices.priorities
        ]
        self.fields["product_type"].choices = blank_choice(_("Any product type")) + [
            (str(t.pk), t.name) for t in choices.product_types
        ]

    def more_fields(self) -> dict[str, forms.Field]:
        """The filters the apps registered (`caseflow.ui.registry.ListFilter`)."""
        return {f.name: f.field() for f in registry.list_filters()}

    @property
    def registered_filters(self) -> list[forms.BoundField]:
        return [self[f.name] for f in registry.list_filters()]

    def narrow(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """`cases` narrowed by every registered filter that is set (the same queryset when
        none is)."""
        for list_filter in registry.list_filters():
            value = self.cleaned_data.get(list_filter.name)
            if value not in (None, "", [], ()):
                cases = list_filter.apply(cases, value)
        return cases

    def clean_customer(self) -> Customer | None:
        return Lookup.customer(self.cleaned_data["customer"])

    def clean_product(self) -> Product | None:
        return Lookup.product(self.cleaned_data["product"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end lies before the start."))
        return data

    def selector_kwargs(self, viewer: User) -> dict[str, Any]:
        """Keyword arguments for `selectors.case_list` (free text is handled by the view)."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {}
        if data.get("status"):
            kwargs["status"] = data["status"]
        owner = data.get("owner")
        if owner == OWNER_ME:
            kwargs["owner_id"] = viewer.pk
        elif owner == OWNER_NONE:
            kwargs["unassigned"] = True
        elif owner:
            kwargs["owner_id"] = int(owner)
        for name, key in (("team", "team_id"), ("product_type", "product_type_id")):
            if data.get(name):
                kwargs[key] = int(data[name])
        for name in ("priority", "case_type", "channel"):
            if data.get(name):
                kwargs[name] = data[name]
        if data.get("customer") is not None:
            kwargs["customer_id"] = data["customer"].pk
        if data.get("product") is not None:
            kwargs["product_id"] = data["product"].pk
        for name in ("reason", "resolution"):
            code = self.codes.get(data.get(name) or "")
            if code is not None:
                level = "general" if code.is_general else "specific"
                kwargs[f"{name}_{level}_id"] = code.pk
        # Days are the user's days: from midnight of the first to midnight after the last.
        if data.get("received_from"):
            kwargs["received_from"] = _day_start(data["received_from"])
        if data.get("received_to"):
            kwargs["received_to"] = _day_start(data["received_to"] + timedelta(days=1))
        return kwargs


def _code_choices(codes: list[Code], kind: str, blank: Any) -> list[Any]:
    """The active codes of `kind` for a filter: one group per general code, the general
    code first (any of its specific codes), then its specific ones."""
    general = sorted((c for c in codes if c.kind == kind and c.is_general), key=lambda c: c.code)
    children: dict[int, list[Code]] = {}
    for code in codes:
        if code.kind == kind and not code.is_general:
            children.setdefault(code.parent_id, []).append(code)
    choices: list[Any] = blank_choice(blank)
    for parent in general:
        options = [(str(parent.pk), f"{parent.code} · {parent.name}")]
        options += [
            (str(c.pk), f"{c.code} · {c.name}")
            for c in sorted(children.get(parent.pk, []), key=lambda c: c.code)
        ]
        choices.append((parent.name, options))
    return choices


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


SAVED_VIEWS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("mine", _("My open cases"), {"owner": OWNER_ME, "status": list(ACTIVE)}),
    ("unassigned", _("Unassigned"), {"owner": OWNER_NONE, "status": list(ACTIVE)}),
    ("waiting", _("Waiting"), {"status": list(WAITING)}),
)
