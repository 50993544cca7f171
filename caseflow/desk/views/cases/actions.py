"""Posting an action on a case (`caseflow.ui.registry.Action`): the registered form, bound,
is validated, the action performs it (one service call), and the answer is every changed
panel out of band (htmx), the form again with the message (422), the conflict with a reload
button (409), or 403. Without htmx the same addresses redirect (PRG) or render the page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caseflow.cases import services
from caseflow.cases.models import SupplyLine
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.desk.views.cases.detail import (
    action_view,
    all_panels,
    detail_context,
    load_case,
    panel_named,
)
from caseflow.ui.forms import add_service_error
from caseflow.ui.registry import Action, registry


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, route: str) -> HttpResponse:
    """POST cases/<pk>/<route>/: the action registered at `route`."""
    action = registry.action_at(route)
    if action is None:
        raise Http404(_("No such action."))
    return act(request, pk, action)


def act(request: HttpRequest, pk: int, action: Action) -> HttpResponse:
    """Validate the action's form, perform it, answer the changed panels or the form."""
    case = load_case(request, pk)
    form = action.form(request, case, True)
    status, conflict = 422, False
    if form.is_valid():
        try:
            message = action.perform(request, case, form)
        except NotAllowed as exc:
            if exc.field is None:  # the role lacks the capability: nothing to correct here
                return HttpResponseForbidden(exc.message)
            add_service_error(form, exc, action.field_aliases)  # not this choice (an owner)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status, conflict = 409, True
        except DomainError as exc:
            add_service_error(form, exc, action.field_aliases)
        else:
            messages.success(request, message or str(action.done) % {"number": case.number})
            return case_changed(request, pk, action.name)
    if request.htmx:
        view = action_view(action, case, form)
        context = {"case": case, "form": form, "conflict": conflict, "action": view}
        return render(request, action.template, context, status=status)
    context = detail_context(request, case, bound={action.name: form})
    context["conflict"] = conflict
    return render(request, "desk/cases/detail.html", context, status=status)


def case_changed(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The answer to a successful action: out of band, every panel that shows the case's
    state (`Panel.refresh`) and the panel of the action (its form comes back empty)."""
    if not request.htmx:
        return redirect("desk:case_detail", pk=pk)
    case = load_case(request, pk)
    context = detail_context(request, case)
    action = registry.action_named(name)
    home = action.panel if action is not None else ""
    context["changed"] = [
        view for view in all_panels(context) if view.panel.refresh or view.name == home
    ]
    response = render(request, "desk/cases/_changed.html", context)
    # Everything arrives out of band; the acting form's own target is left alone.
    response["HX-Reswap"] = "none"
    response["HX-Trigger"] = json.dumps(
        {"caseChanged": {"id": case.pk, "version": case.version, "action": name}}
    )
    return response


@login_required
@require_POST
def case_supply_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Take a supply line off; on refusal the supplies come back with the message."""
    case = load_case(request, pk)
    line = SupplyLine.objects.filter(pk=line_id, case_id=case.pk).first()
    if line is None:
        raise Http404(_("This supply line is not on the case."))
    try:
        services.remove_supply(actor=request.user, channel=Channel.UI, case=case, line=line)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("desk:case_detail", pk=pk)
        context = detail_context(request, case)
        context["supply_error"] = exc.message
        context["panel"] = panel_named(context, "supplies")
        return render(request, "desk/cases/_supplies.html", context, status=422)
    messages.success(request, _("Supply removed."))
    return case_changed(request, pk, "supply")
