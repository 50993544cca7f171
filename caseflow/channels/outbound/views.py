"""Sending a failed e-mail again, from its status line on the timeline. (The reply itself is
an action of the case page: `caseflow.channels.case_page`.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caseflow.channels.models import OutboundMessage
from caseflow.channels.outbound import services
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.ui.shortcuts import case_or_404


@login_required
@require_POST
def outbound_retry(request: HttpRequest, pk: int, outbound_id: int) -> HttpResponse:
    """Send a failed e-mail again; answers the message's status line."""
    case = case_or_404(request, pk)
    outbound = OutboundMessage.objects.filter(pk=outbound_id, case_id=case.pk).first()
    if outbound is None:
        raise Http404(_("No such message on this case."))
    error = ""
    try:
        outbound = services.retry_outbound(actor=request.user, outbound=outbound)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("desk:case_detail", pk=pk)
    outbound.refresh_from_db()
    return render(
        request,
        "channels/_outbound_status.html",
        {"message": outbound, "case": case, "error": error},
        status=422 if error else 200,
    )


urlpatterns = [
    path(
        "cases/<int:pk>/outbound/<int:outbound_id>/retry/",
        outbound_retry,
        name="outbound_retry",
    ),
]
