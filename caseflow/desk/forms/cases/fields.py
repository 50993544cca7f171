"""What the case screens' forms share: the choice lists a request loads once, the
version field, reason and resolution code selects, and looking up a typed customer or
product.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Team, User
from caseflow.cases.models import Case, Code, Priority
from caseflow.catalog.models import Product, ProductType
from caseflow.customers.models import Customer

M = TypeVar("M", bound=models.Model)

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


def blank_choice(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def version_field() -> forms.IntegerField:
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


def code_pair(kind: str) -> tuple[CodeField, CodeField]:
    if kind == "reason":
        return (
            CodeField(label=_("Reason (general)"), required=False),
            CodeField(label=_("Reason (specific)"), required=False),
        )
    return (
        CodeField(label=_("Resolution (general)")),
        CodeField(label=_("Resolution (specific)"), required=False),
    )


class Lookup:
    """Resolves a typed reference ("42" as an id, or a business number) to one row."""

    @staticmethod
    def customer(value: str) -> Customer | None:
        return _find(Customer, "number", value, _("There is no customer %(ref)s."))

    @staticmethod
    def product(value: str) -> Product | None:
        return _find(Product, "sku", value, _("There is no product %(ref)s."))


def _find(model: type[M], number: str, value: str, missing: Any) -> M | None:
    """The row `value` names, by id or (case-insensitively) by its `number` field; None for
    an empty value, the `missing` message for one that names nothing."""
    value = value.strip()
    if not value:
        return None
    rows = model._default_manager.all()
    if value.isdigit() and len(value) <= 12:
        found = rows.filter(pk=int(value)).first()
    else:
        found = rows.filter(**{f"{number}__iexact": value}).first()
    if found is None:
        raise forms.ValidationError(missing, params={"ref": value})
    return found


def codes_of(case: Case, kind: str) -> tuple[Code | None, Code | None]:
    """The case's own general and specific code of `kind` (loaded with the case)."""
    return tuple(  # type: ignore[return-value]
        getattr(case, f"{kind}_{level}") if getattr(case, f"{kind}_{level}_id") else None
        for level in ("general", "specific")
    )


def specific_codes(codes: list[Code], general: Any) -> list[Code]:
    """The specific codes under the general code `general` (an id, possibly a string)."""
    general = str(general or "")
    return [c for c in codes if c.parent_id is not None and str(c.parent_id) == general]
