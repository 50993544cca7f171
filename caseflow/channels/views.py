"""The desk's actions on a case's messages. Thin: each calls one channels service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caseflow.channels import senders
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.customers.models import Customer
from caseflow.customers.selectors import customer_by_number, customers_by_email
from caseflow.ui.shortcuts import case_or_404


def _customer_from(text: str) -> Customer | None:
    """A customer named by its number or one of its contacts' e-mail addresses."""
    text = text.strip()[:254]
    if "@" in text:
        return customers_by_email(text).first()
    return customer_by_number(text)


@login_required
@require_POST
def adopt_sender(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a customer from an unknown sender's message, or move the case to one."""
    case = case_or_404(request, pk)
    version = request.POST.get("version", "")
    wanted = request.POST.get("customer", "")
    customer = None
    if wanted.strip():
        customer = _customer_from(wanted)
        if customer is None:
            messages.error(
                request, _("No customer has the number or e-mail address “%s”.") % wanted[:254]
            )
            return redirect("desk:case_detail", pk=pk)
    try:
        senders.adopt(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            customer=customer,
            version=int(version) if version.isdigit() else None,
        )
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except (Conflict, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        case.refresh_from_db(fields=["customer"])
        messages.success(
            request,
            _("Case %(number)s now belongs to %(customer)s.")
            % {"number": case.number, "customer": case.customer.name},
        )
    return redirect("desk:case_detail", pk=pk)


urlpatterns = [
    path("cases/<int:pk>/sender/", adopt_sender, name="adopt_sender"),
]
