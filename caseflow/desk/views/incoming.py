"""The incoming-call screen: find the caller, see their units and open cases, and either add
the call to an open case or open a new case on a unit (source 000 and 001).

One page (`desk:incoming`, `?q=` the search, `?customer=` the picked caller, so reload and
the back button work) and its htmx partials: the results as the agent types, the caller
panel, and the call note on an open case. Reads go through `caseflow.desk.selectors`, the
call note through `caseflow.cases.services.record_event`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from caseflow.accounts.roles import can
from caseflow.cases import services
from caseflow.cases.models import ACTIVE
from caseflow.cases.selectors import caller_card, cases_visible_to
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.customers.models import Customer
from caseflow.desk import selectors
from caseflow.desk.forms.customers import CustomerCreateForm
from caseflow.desk.forms.incoming import CallerSearchForm, CallNoteForm
from caseflow.desk.views.cases.common import FIELD_ALIASES
from caseflow.ui.forms import add_service_error


def incoming_url(*, q: str = "", customer: int | None = None, unit: int | None = None) -> str:
    """The incoming-call screen's address for a search and a picked caller."""
    params: dict[str, Any] = {}
    if q:
        params["q"] = q
    if customer is not None:
        params["customer"] = customer
    if unit is not None:
        params["unit"] = unit
    base = reverse("desk:incoming")
    return f"{base}?{urlencode(params)}" if params else base


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


def allowed(user: Any) -> dict[str, bool]:
    """What the agent may do from the caller panel (the services refuse the rest anyway)."""
    return {
        "can_log_call": can(user, "case.event"),
        "can_open_case": can(user, "case.create"),
        "can_create_customer": can(user, "customer.create"),
    }


def caller_context(request: HttpRequest, customer_id: int, *, q: str = "") -> dict[str, Any]:
    """What the caller panel shows; Http404 for a customer that does not exist."""
    try:
        card = caller_card(viewer=request.user, customer_id=customer_id, on=timezone.localdate())
    except Customer.DoesNotExist:
        raise Http404(_("No such customer.")) from None
    selectors.show_points([card.customer])
    return {
        "card": card,
        "customer": card.customer,
        "q": q,
        "highlight_unit": _int(request.GET.get("unit")),
        "call_form": CallNoteForm(),
        **allowed(request.user),
    }


# How each result was found, as its badge says it.
MATCHED_LABELS = {
    selectors.ReadAs.PHONE: gettext_lazy("phone"),
    selectors.ReadAs.EMAIL: gettext_lazy("e-mail"),
    selectors.ReadAs.CUSTOMER_NUMBER: gettext_lazy("customer number"),
    selectors.ReadAs.CASE_NUMBER: gettext_lazy("case number"),
    selectors.ReadAs.SERIAL: gettext_lazy("serial number"),
    selectors.ReadAs.NAME: gettext_lazy("name"),
}


def _results_context(request: HttpRequest, q: str) -> dict[str, Any]:
    """The results, each customer with its badge and its links prepared here: once per
    page, not once per row in the template (the search runs on every keystroke)."""
    candidates = selectors.caller_candidates(q, viewer=request.user)
    page = reverse("desk:incoming")
    caller = reverse("desk:incoming_caller", args=[0])[: -len("0/")]
    query = urlencode({"q": q})
    for customer in candidates.customers:
        customer.pick_url = f"{page}?{query}&customer={customer.pk}"
        customer.caller_url = f"{caller}{customer.pk}/?{query}"
        if customer.matched_by == selectors.MATCHED_BY_CONTACT:
            customer.matched_label = _("contact %(name)s") % {"name": customer.matched_contact}
        else:
            customer.matched_label = MATCHED_LABELS[customer.matched_by]
    return {"q": q, "candidates": candidates, **allowed(request.user)}


@login_required
@require_GET
def incoming(request: HttpRequest) -> HttpResponse:
    """The incoming-call screen, with the search and the picked caller from the URL."""
    if not can(request.user, "customer.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    form = CallerSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context: dict[str, Any] = {"form": form, "q": q, **allowed(request.user)}
    if q:
        context.update(_results_context(request, q))
    customer_id = _int(request.GET.get("customer"))
    if customer_id is not None:
        context.update(caller_context(request, customer_id, q=q), caller=True)
    return render(request, "desk/incoming/page.html", context)


@login_required
@require_GET
def incoming_results(request: HttpRequest) -> HttpResponse:
    """The search results as the agent types (an htmx partial)."""
    if not can(request.user, "customer.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    form = CallerSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    response = render(request, "desk/incoming/_results.html", _results_context(request, q))
    # The address follows the search, so a reload shows the same results; the caller on
    # screen stays in it (the address says what the screen shows).
    if request.htmx and not request.htmx.history_restore_request:
        shown = parse_qs(urlsplit(request.htmx.current_url or "").query)
        response["HX-Replace-Url"] = incoming_url(
            q=q,
            customer=_int((shown.get("customer") or [""])[0]),
            unit=_int((shown.get("unit") or [""])[0]),
        )
    return response


@login_required
@require_GET
def incoming_caller(request: HttpRequest, pk: int) -> HttpResponse:
    """The picked caller (an htmx partial); the page's URL becomes `?customer=`."""
    if not can(request.user, "customer.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    q = (request.GET.get("q") or "").strip()[: selectors.MAX_TEXT]
    if not request.htmx:
        return redirect(incoming_url(q=q, customer=pk, unit=_int(request.GET.get("unit"))))
    return render(request, "desk/incoming/_caller.html", caller_context(request, pk, q=q))


@login_required
@require_POST
def incoming_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the call to an open case: a `call_in` event with duration, outcome and what was
    agreed. Answers the note form again: with the message (422), or done."""
    if not can(request.user, "case.event"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    case = cases_visible_to(request.user).filter(pk=pk, status__in=ACTIVE).first()
    if case is None:
        raise Http404(_("No such open case."))
    form = CallNoteForm(request.POST, auto_id=f"call-{case.pk}-%s")
    status = 422
    if form.is_valid():
        try:
            services.record_event(
                actor=request.user,
                channel=Channel.PHONE,
                case=case,
                event_type="call_in",
                text=form.cleaned_data["text"],
                call_duration=form.cleaned_data["duration"],
                call_outcome=form.cleaned_data["outcome"],
            )
        except NotAllowed:
            return HttpResponseForbidden(_("Your role does not allow this."))
        except DomainError as exc:
            add_service_error(form, exc, FIELD_ALIASES)
        else:
            status = 200
            form = None  # type: ignore[assignment]
    if not request.htmx:
        return redirect(incoming_url(customer=case.customer_id))
    return render(
        request,
        "desk/incoming/_call_form.html",
        {"case": case, "form": form, "logged": form is None},
        status=status,
    )


def new_customer_initial(q: str) -> dict[str, str]:
    """Prefill the new customer from what the agent searched for."""
    readings = selectors.read_as(q)
    if selectors.ReadAs.EMAIL in readings:
        return {"email": q}
    if selectors.ReadAs.PHONE in readings:
        return {"phone": q}
    if selectors.ReadAs.NAME in readings:
        return {"name": q}
    return {}


def new_customer_form(q: str = "") -> CustomerCreateForm:
    return CustomerCreateForm(initial=new_customer_initial(q))


urlpatterns = [
    path("incoming/", incoming, name="incoming"),
    path("incoming/results/", incoming_results, name="incoming_results"),
    path("incoming/customers/<int:pk>/", incoming_caller, name="incoming_caller"),
    path("incoming/cases/<int:pk>/call/", incoming_call, name="incoming_call"),
]
