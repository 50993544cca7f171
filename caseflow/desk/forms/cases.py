"""Forms of the case screens: the list's filters, opening a case, and every action on a case.

Forms parse and check the shape of the input; the business rules stay in
`caseflow.cases.services`, whose `DomainError`s the views turn into form errors. Choice lists
(priorities, owners, teams, codes) are loaded once per request by the view and handed in, so
a form costs no query of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Team, User
from caseflow.cases import status as rules
from caseflow.cases.models import (
    ACTIVE,
    CASE_CHANNELS,
    WAITING,
    Case,
    CaseStatus,
    CaseType,
    Code,
    Priority,
)
from caseflow.catalog.models import Product, ProductType, Unit
from caseflow.customers.models import Contact, Customer
from caseflow.ui.forms import DeskForm, MultipleFileField
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
NOTE_LIMIT = 100000
TEXT_LIMIT = 20000
REASON_LIMIT = 2000


@dataclass
class Choices:
    """The configuration rows a case screen offers in its selects (loaded once per request)."""

    priorities: list[Priority] = field(default_factory=list)
    owners: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    product_types: list[ProductType] = field(default_factory=list)
    reason_codes: list[Code] = field(default_factory=list)
    resolution_codes: list[Code] = field(default_factory=list)

    def priority(self, code: str) -> Priority | None:
        return next((p for p in self.priorities if p.code == code), None)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class CodeField(forms.Field):
    """A reason or resolution code, by id. The select offers the active codes (`offer`); any
    code that exists is taken, so the service decides (an archived code, a specific code
    under another general one, a code of the other kind) and says why, on this field."""

    widget = forms.Select

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes: dict[str, Code] = {}

    def offer(self, codes: list[Code]) -> None:
        self.codes = {str(c.pk): c for c in codes}

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value).strip()

    def clean(self, value: Any) -> Code | None:
        key = super().clean(value)
        if not key:
            return None
        found = self.codes.get(key)
        if found is None and key.isdigit() and len(key) <= 12:
            found = Code.objects.filter(pk=int(key)).first()
        if found is None:
            raise forms.ValidationError(_("There is no such code."), code="invalid_choice")
        return found


def code_options(codes: Iterable[Code], chosen: Any, *, specific: bool = False) -> SafeString:
    """The <option>s of a code select ("FIX Fixed"), the code with id `chosen` selected. The
    case page has three code pairs; their ~40 options through the template language cost
    twice the CPU of the rest of the pairs (docs/performance.md, "Desk on day one")."""
    codes = list(codes)
    chosen = str(chosen or "")
    blank = _("Choose …") if codes or not specific else "—"
    return format_html(
        '<option value="">{}</option>{}',
        blank,
        format_html_join(
            "",
            '<option value="{}"{}>{} {}</option>',
            ((c.pk, " selected" if str(c.pk) == chosen else "", c.code, c.name) for c in codes),
        ),
    )


class CodePairs:
    """General and specific codes of a form: `<kind>_general` offers the general codes,
    `<kind>_specific` only the specific ones under the chosen general code (swapped by htmx
    when the general one changes); their printed <option>s are in `code_selects[kind]`."""

    def _offer_codes(
        self, kind: str, codes: list[Code], current: tuple[Code | None, ...] = ()
    ) -> None:
        form: Any = self
        # Codes already on the case stay selectable, even if archived since.
        offered = list(codes) + [c for c in current if c is not None and c not in codes]
        general, specific = form.fields[f"{kind}_general"], form.fields[f"{kind}_specific"]
        general.offer([c for c in offered if c.parent_id is None])
        specific.offer([c for c in offered if c.parent_id is not None])
        options = specific_codes(offered, form[f"{kind}_general"].value())
        # A specific code sent under another general code stays visible next to its error.
        chosen = specific.codes.get(str(form[f"{kind}_specific"].value() or ""))
        if chosen is not None and chosen not in options:
            options.append(chosen)
        if not hasattr(form, "code_selects"):
            form.code_selects = {}
        form.code_selects[kind] = {
            "general": code_options(general.codes.values(), form[f"{kind}_general"].value()),
            "specific": code_options(options, form[f"{kind}_specific"].value(), specific=True),
        }

    def code_kwargs(self, kind: str) -> dict[str, Code | None]:
        data: Any = self.cleaned_data  # type: ignore[attr-defined]
        return {name: data.get(name) for name in (f"{kind}_general", f"{kind}_specific")}


def _code_pair(kind: str) -> tuple[CodeField, CodeField]:
    if kind == "reason":
        return (
            CodeField(label=_("Reason (general)"), required=False),
            CodeField(label=_("Reason (specific)"), required=False),
        )
    return (
        CodeField(label=_("Resolution (general)")),
        CodeField(label=_("Resolution (specific)"), required=False),
    )


class _Lookup:
    """Resolves a typed reference ("42" as an id, or a business number) to one row."""

    @staticmethod
    def customer(value: str) -> Customer | None:
        value = value.strip()
        if not value:
            return None
        if value.isdigit() and len(value) <= 12:
            found = Customer.objects.filter(pk=int(value)).first()
        else:
            found = Customer.objects.filter(number__iexact=value).first()
        if found is None:
            raise forms.ValidationError(_("There is no customer %(ref)s."), params={"ref": value})
        return found

    @staticmethod
    def product(value: str) -> Product | None:
        value = value.strip()
        if not value:
            return None
        if value.isdigit() and len(value) <= 12:
            found = Product.objects.filter(pk=int(value)).first()
        else:
            found = Product.objects.filter(sku__iexact=value).first()
        if found is None:
            raise forms.ValidationError(_("There is no product %(ref)s."), params={"ref": value})
        return found


# --- the list -----------------------------------------------------------------------------


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
        label=_("Type"), required=False, choices=_blank(_("Any type")) + CaseType.choices
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=_blank(_("Any channel")) + [(c.value, c.label) for c in CASE_CHANNELS],
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
        self.fields["team"].choices = _blank(_("Any team")) + [
            (str(t.pk), t.name) for t in choices.teams
        ]
        self.fields["priority"].choices = _blank(_("Any priority")) + [
            (p.code, p.name) for p in choices.priorities
        ]
        self.fields["product_type"].choices = _blank(_("Any product type")) + [
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
        return _Lookup.customer(self.cleaned_data["customer"])

    def clean_product(self) -> Product | None:
        return _Lookup.product(self.cleaned_data["product"])

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
    choices: list[Any] = _blank(blank)
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


# --- opening a case -----------------------------------------------------------------------


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
    reason_general, reason_specific = _code_pair("reason")
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
        self.fields["contact"].choices = _blank(_("—")) + [(str(c.pk), c.name) for c in contacts]
        self.fields["unit"].choices = _blank(_("No unit")) + [
            (str(u.pk), f"{u.serial} · {u.product.name}") for u in units
        ]
        self.fields["priority"].choices = [(p.code, p.name) for p in choices.priorities if p.active]

    def clean_customer(self) -> Customer:
        found = _Lookup.customer(self.cleaned_data["customer"])
        if found is None:
            raise forms.ValidationError(_("Pick the customer first."))
        return found

    def clean_product(self) -> Product | None:
        return _Lookup.product(self.cleaned_data["product"])

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


# --- actions on a case --------------------------------------------------------------------


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

    version = _version_field()
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_LIMIT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What `change_status` accepts from the case's status (the rules of `cases.status`).
        allowed = rules.allowed_targets(case)
        self.fields["status"].choices = [(s.value, s.label) for s in allowed]


class AssignForm(DeskForm):
    slug = "assign"

    version = _version_field()
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(u.pk): u for u in choices.owners}
        self.teams = {str(t.pk): t for t in choices.teams}
        self.fields["owner"].choices = _blank(_("Nobody")) + [
            (k, str(u)) for k, u in self.owners.items()
        ]
        self.fields["team"].choices = _blank(_("Keep the team")) + [
            (k, t.name) for k, t in self.teams.items()
        ]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "owner": self.owners.get(self.cleaned_data.get("owner") or ""),
            "team": self.teams.get(self.cleaned_data.get("team") or ""),
        }


class DetailsForm(CodePairs, DeskForm):
    slug = "edit"

    version = _version_field()
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
    reason_general, reason_specific = _code_pair("reason")

    def __init__(self, *args: Any, choices: Choices, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["priority"].choices = [
            (p.code, p.name) for p in choices.priorities if p.active or p.pk == case.priority_id
        ]
        self._offer_codes("reason", choices.reason_codes, _codes_of(case, "reason"))

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
        found = _Lookup.product(self.cleaned_data["product"])
        if found is None:
            raise forms.ValidationError(_("Enter an article number."))
        return found


class ResolveForm(CodePairs, DeskForm):
    """Resolution codes and the solution; the reason codes come prefilled from the case (left
    empty, the case keeps its own)."""

    slug = "resolve"

    version = _version_field()
    resolution_general, resolution_specific = _code_pair("resolution")
    reason_general, reason_specific = _code_pair("reason")
    solution = forms.CharField(
        label=_("Solution"), required=False, max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, choices: Choices, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every code is accepted here; whether a specific code belongs to the general one is
        # the service's rule (and its message). The selects show only the matching ones.
        self._offer_codes("resolution", choices.resolution_codes)
        self._offer_codes("reason", choices.reason_codes, _codes_of(case, "reason"))

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


def _codes_of(case: Case, kind: str) -> tuple[Code | None, Code | None]:
    """The case's own general and specific code of `kind` (loaded with the case)."""
    return tuple(  # type: ignore[return-value]
        getattr(case, f"{kind}_{level}") if getattr(case, f"{kind}_{level}_id") else None
        for level in ("general", "specific")
    )


def specific_codes(codes: list[Code], general: Any) -> list[Code]:
    """The specific codes under the general code `general` (an id, possibly a string)."""
    general = str(general or "")
    return [c for c in codes if c.parent_id is not None and str(c.parent_id) == general]


class TakeForm(DeskForm):
    """ "Take it": one button; the posted form is the assignment to the agent."""

    slug = "take"

    version = _version_field()


class CloseForm(DeskForm):
    slug = "close"

    version = _version_field()


class ReopenForm(DeskForm):
    slug = "reopen"

    version = _version_field()
    reason = forms.CharField(
        label=_("Why is it reopened?"), max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
