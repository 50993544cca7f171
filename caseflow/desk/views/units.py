"""The unit page: product, serial, registration, warranty, contracts and the full service
history (source 004's "bitácora de servicios")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caseflow.accounts.roles import can
from caseflow.catalog.models import Unit
from caseflow.catalog.selectors import units_visible_to
from caseflow.core.errors import DomainError
from caseflow.desk import selectors
from caseflow.desk.views.incoming import allowed


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not can(request.user, "catalog.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    try:
        page = selectors.unit_page(viewer=request.user, unit_id=pk, on=timezone.localdate())
    except Unit.DoesNotExist:
        raise Http404(_("No such unit.")) from None
    active = next((r for r in page.registrations if r.ended_at is None), None)
    return render(
        request,
        "desk/units/detail.html",
        {
            "page": page,
            "unit": page.unit,
            "active": active,
            "can_view_cases": can(request.user, "case.view"),
            **allowed(request.user),
        },
    )


@login_required
@require_GET
def unit_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The next page of the unit's service history (an htmx partial)."""
    if not (can(request.user, "catalog.view") and can(request.user, "case.view")):
        return HttpResponseForbidden(_("Your role does not allow this."))
    unit = units_visible_to(request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404(_("No such unit."))
    try:
        history = selectors.unit_history(
            viewer=request.user, unit=unit, cursor=request.GET.get("cursor") or None
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    if not request.htmx:
        return redirect("desk:unit_detail", pk=pk)
    return render(request, "desk/units/_history_rows.html", {"history": history, "unit": unit})


urlpatterns = [
    path("units/<int:pk>/", unit_detail, name="unit_detail"),
    path("units/<int:pk>/history/", unit_history, name="unit_history"),
]
