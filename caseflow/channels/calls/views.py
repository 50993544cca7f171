"""The desk's incoming-call notice: the agent's browser polls it every few seconds (htmx);
it shows the ringing or answered call with the caller's customer, registered units and open
cases, and once the call ended offers to log it on a case.

The poll is the hot path of every open desk page: it answers 204 ("no change", nothing to
swap) after one query of its own while what it shows stays the same, and 286 (htmx stops
polling) to a browser that is logged out or may not take calls.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from caseflow.accounts.roles import can
from caseflow.cases.selectors import caller_card, cases_visible_to
from caseflow.channels.calls import selectors, services
from caseflow.channels.models import CALL_LIVE, Call
from caseflow.core.errors import DomainError, NotAllowed

# The (call, state) pairs this browser session put away (the newest few): a call comes back
# when its state changes (it was answered, it ended and can be logged).
DISMISSED = "channels_dismissed_calls"
KEEP_DISMISSED = 20
STOP_POLLING = 286  # htmx: stop this element's polling
# The incoming-call screen (the desk's page; named, not imported: channels and the desk are
# siblings, see docs/architecture.md).
INCOMING = "desk:incoming"


def _may_take_calls(user: Any) -> bool:
    return user.is_authenticated and can(user, "customer.view")


def _entries(request: HttpRequest) -> list[str]:
    value = request.session.get(DISMISSED, [])
    return [str(v) for v in value] if isinstance(value, list) else []


def _dismissed(request: HttpRequest) -> list[tuple[int, str]]:
    pairs = []
    for entry in _entries(request):
        pk, _dot, state = entry.partition(".")
        if pk.isdigit() and state:
            pairs.append((int(pk), state))
    return pairs


def _put_away(request: HttpRequest, call: Call) -> None:
    entry = f"{call.pk}.{call.state}"
    kept = [v for v in _entries(request) if v != entry]
    request.session[DISMISSED] = [*kept, entry][-KEEP_DISMISSED:]


def _notice_context(request: HttpRequest, call: Call, key: str) -> dict[str, Any]:
    user = request.user
    card = None
    if call.customer_id is not None and can(user, "customer.view"):
        card = caller_card(viewer=user, customer_id=call.customer_id, on=timezone.localdate())
    return {
        "call": call,
        "key": key,
        "card": card,
        "live": call.state in CALL_LIVE,
        "duration": selectors.call_form_initial(call)["duration"],
        "can_log_call": can(user, "case.event"),
        "can_open_case": can(user, "case.create"),
    }


@require_GET
def call_notice(request: HttpRequest) -> HttpResponse:
    """The notice: 204 while it stays as the browser shows it (`?seen=`), else the notice."""
    if not _may_take_calls(request.user):
        return HttpResponse(status=STOP_POLLING)
    dismissed = _dismissed(request)
    key = selectors.notice_key(user_id=request.user.pk, dismissed=dismissed)
    if key == request.GET.get("seen", ""):
        return HttpResponse(status=204)
    if not key:
        return render(request, "channels/calls/_notice.html", {"key": ""})
    try:
        call = selectors.call_for_notice(int(key.split(".", 1)[0]))
    except Call.DoesNotExist:  # gone between the two reads: show nothing this time
        return render(request, "channels/calls/_notice.html", {"key": ""})
    return render(request, "channels/calls/_notice.html", _notice_context(request, call, key))


@login_required
@require_POST
def dismiss_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the call's notice away in this browser session, until the call's state changes."""
    call = Call.objects.filter(pk=pk).first()
    if call is not None:
        _put_away(request, call)
    if request.htmx:
        return render(request, "channels/calls/_notice.html", {"key": ""})
    return redirect(request.headers.get("Referer") or "desk:home")


@login_required
@require_GET
def open_caller(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Open the incoming-call screen for this caller": the number searched, the caller
    picked; the notice, acted on, stays away until the call's state changes."""
    call = Call.objects.filter(pk=pk).first()
    if call is None:
        raise Http404(_("No such call."))
    if _may_take_calls(request.user):
        _put_away(request, call)
    params: dict[str, Any] = {"q": call.number or call.raw_number}
    if call.customer_id is not None:
        params["customer"] = call.customer_id
    return redirect(f"{reverse(INCOMING)}?{urlencode(params)}")


@login_required
@require_POST
def link_call(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """ "Add to this open case": the call belongs to the case; the case opens with the call
    form prefilled (number, direction and, once it ended, the duration)."""
    if not can(request.user, "case.event"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    call = Call.objects.filter(pk=pk).first()
    case = cases_visible_to(request.user).filter(pk=case_pk).first()
    if call is None or case is None:
        raise Http404(_("No such call or case."))
    target = f"{reverse('desk:case_detail', args=[case.pk])}?call={call.pk}"
    try:
        call = services.link_call(actor=request.user, call=call, case=case)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError:
        target = reverse("desk:case_detail", args=[case.pk])  # logged already: just open it
    # The agent acted on the notice: it stays away (over the case's forms) until the call's
    # state changes, e.g. it ends and can be logged with its duration.
    _put_away(request, call)
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = target
        return response
    return redirect(target)


urlpatterns = [
    path("calls/notice/", call_notice, name="call_notice"),
    path("calls/<int:pk>/dismiss/", dismiss_call, name="call_dismiss"),
    path("calls/<int:pk>/caller/", open_caller, name="call_caller"),
    path("calls/<int:pk>/cases/<int:case_pk>/", link_call, name="call_link"),
]
