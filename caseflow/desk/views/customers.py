"""The customer page (contacts, units, cases, orders, contracts) and creating a customer
while the caller is on the line.

A customer created from the incoming-call screen (htmx) is answered with the caller panel of
the new customer, picked; without htmx the same form is a page of its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from caseflow.accounts.roles import can
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.customers import services
from caseflow.customers.models import Customer
from caseflow.customers.selectors import customers_visible_to
from caseflow.desk import selectors
from caseflow.desk.forms.customers import CustomerCreateForm
from caseflow.desk.views.incoming import allowed, caller_context, incoming_url, new_customer_form


@login_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Header, contacts, units with warranty, cases (newest first, "more"), orders, contracts."""
    if not can(request.user, "customer.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    try:
        page = selectors.customer_page(viewer=request.user, customer_id=pk, on=timezone.localdate())
    except Customer.DoesNotExist:
        raise Http404(_("No such customer.")) from None
    return render(
        request,
        "desk/customers/detail.html",
        {"page": page, "customer": page.customer, **allowed(request.user)},
    )


@login_required
@require_GET
def customer_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The next page of the customer's cases (an htmx partial: rows and the next "more")."""
    if not can(request.user, "customer.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    customer = customers_visible_to(request.user).filter(pk=pk).first()
    if customer is None:
        raise Http404(_("No such customer."))
    try:
        page = selectors.customer_cases(
            viewer=request.user, customer=customer, cursor=request.GET.get("cursor") or None
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    if not request.htmx:
        return redirect("desk:customer_detail", pk=pk)
    return render(request, "desk/customers/_case_rows.html", {"cases": page, "customer": customer})


@login_required
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    """Create a customer (name, kind, language, phone, e-mail, address) through the service.

    From the incoming-call screen (htmx) the answer is the new customer's caller panel, and
    the page's address becomes `?customer=`; otherwise a page and a redirect."""
    if not can(request.user, "customer.create"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    q = (request.GET.get("q") or "").strip()[: selectors.MAX_TEXT]
    template = "desk/customers/_new_form.html" if request.htmx else "desk/customers/new.html"
    if request.method == "GET":
        return render(request, template, {"form": new_customer_form(q), "q": q})
    form = CustomerCreateForm(request.POST)
    if form.is_valid():
        try:
            customer = services.create_customer(
                actor=request.user, channel=Channel.PHONE, **form.service_kwargs()
            )
        except NotAllowed:
            return HttpResponseForbidden(_("Your role does not allow this."))
        except DomainError as exc:
            form.add_error(CustomerCreateForm.field_for(exc.field), exc.message)
        else:
            messages.success(
                request,
                _("Customer %(number)s %(name)s created.")
                % {"number": customer.number, "name": customer.name},
            )
            target = incoming_url(customer=customer.pk)
            if not request.htmx:
                return redirect(target)
            context = caller_context(request, customer.pk)
            context["created"] = True
            response = render(request, "desk/incoming/_caller.html", context)
            response["HX-Push-Url"] = target
            return response
    return render(request, template, {"form": form, "q": q}, status=422)


urlpatterns = [
    path("customers/new/", customer_new, name="customer_new"),
    path("customers/<int:pk>/", customer_detail, name="customer_detail"),
    path("customers/<int:pk>/cases/", customer_cases, name="customer_cases"),
]
