"""Opening a case, from the incoming-call screen or the list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caseflow.accounts.roles import can
from caseflow.cases import config, services
from caseflow.cases.models import (
    CaseType,
)
from caseflow.catalog.models import Registration, Unit
from caseflow.catalog.selectors import warranty_status
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.customers.models import Contact, Customer
from caseflow.desk.forms.cases import (
    CaseOpenForm,
    Choices,
)
from caseflow.desk.views.cases.common import FIELD_ALIASES, codes_by_kind
from caseflow.ui.forms import add_service_error

# --- opening a case -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case; from the incoming-call screen with customer, unit and product prefilled
    (and the case type Caseflow suggests for the unit)."""
    if not can(request.user, "case.create"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_from(source.get("customer", ""))
    contacts: list[Contact] = []
    units: list[Unit] = []
    if customer is not None:
        contacts = list(Contact.objects.filter(customer=customer).order_by("-is_primary", "name"))
        units = _units_of(customer, source.get("unit", ""))
    reason_codes, _resolution_codes = codes_by_kind()
    choices = Choices(priorities=config.priorities(), reason_codes=reason_codes)
    context_extra: dict[str, Any] = {}
    if request.method == "POST":
        form = CaseOpenForm(
            request.POST, choices=choices, customer=customer, contacts=contacts, units=units
        )
        status = 422
        if form.is_valid():
            kwargs = form.service_kwargs()
            try:
                case = services.open_case(
                    actor=request.user,
                    owner=request.user if form.cleaned_data["take"] else None,
                    **kwargs,
                )
            except NotAllowed:
                return HttpResponseForbidden(_("Your role does not allow this."))
            except DomainError as exc:
                add_service_error(form, exc, FIELD_ALIASES)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                target = reverse("desk:case_detail", args=[case.pk])
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
    else:
        status = 200
        unit = units[0] if units and source.get("unit") else None
        product = unit.product if unit else _product_from(source.get("product", ""))
        suggested = services.suggest_case_type(unit, timezone.localdate())
        default = next((p for p in choices.priorities if p.is_default and p.active), None)
        form = CaseOpenForm(
            initial={
                "customer": customer.number if customer else "",
                "unit": str(unit.pk) if unit else "",
                "product": product.sku if product else "",
                "contact": next((str(c.pk) for c in contacts if c.is_primary), ""),
                "channel": Channel.PHONE,
                "case_type": suggested,
                "priority": default.code if default else "",
                "take": True,
            },
            choices=choices,
            customer=customer,
            contacts=contacts,
            units=units,
        )
        context_extra["suggested"] = CaseType(suggested).label
        if unit is not None:
            context_extra["cover"] = warranty_status(unit, timezone.localdate())
            context_extra["unit"] = unit
    return render(
        request,
        "desk/cases/new.html",
        {"form": form, "customer": customer, **context_extra},
        status=status,
    )


def _customer_from(value: str) -> Customer | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) <= 12:
        return Customer.objects.filter(pk=int(value)).first()
    return Customer.objects.filter(number__iexact=value[:20]).first()


def _product_from(value: str) -> Any:
    from caseflow.catalog.models import Product

    value = value.strip()
    if value.isdigit() and len(value) <= 12:
        return Product.objects.filter(pk=int(value)).first()
    return Product.objects.filter(sku__iexact=value[:40]).first() if value else None


def _units_of(customer: Customer, wanted: str) -> list[Unit]:
    """The customer's registered units, and the unit asked for (first) even if unregistered."""
    registered = Registration.objects.filter(customer=customer, ended_at__isnull=True).values(
        "unit_id"
    )
    units = list(
        Unit.objects.filter(pk__in=registered, archived_at__isnull=True)
        .select_related("product")
        .order_by("serial")[:200]
    )
    if wanted.isdigit() and len(wanted) <= 12:
        first = next((u for u in units if u.pk == int(wanted)), None)
        if first is None:
            first = Unit.objects.select_related("product").filter(pk=int(wanted)).first()
        if first is not None:
            units = [first, *(u for u in units if u.pk != first.pk)]
    return units
