"""The actions on a case: each validates its form, calls one service and answers the changed
page parts out of band (htmx), the form with the message (422), the conflict (409) or 403."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caseflow.cases import config, services
from caseflow.cases.models import (
    Case,
    SupplyLine,
)
from caseflow.channels.calls import selectors as call_selectors
from caseflow.channels.calls import services as call_services
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.desk.forms.cases import (
    AssignForm,
    CallForm,
    Choices,
    CloseForm,
    DetailsForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    SupplyForm,
)
from caseflow.desk.views.cases.common import FIELD_ALIASES, codes_by_kind
from caseflow.desk.views.cases.detail import detail_context, load_case
from caseflow.ui.forms import add_service_error

# --- actions ------------------------------------------------------------------------------


def _act(
    request: HttpRequest,
    pk: int,
    name: str,
    build: Callable[[Case], forms.Form],
    perform: Callable[[Case, Any], Any],
    done: str,
) -> HttpResponse:
    """Validate the form, call one service, answer the changed page parts or the form."""
    case = load_case(request, pk)
    form = build(case)
    status = 422
    conflict = False
    if form.is_valid():
        try:
            perform(case, form)
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status, conflict = 409, True
        except DomainError as exc:
            add_service_error(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, done % {"number": case.number})
            return case_changed(request, pk, name)
    if request.htmx:
        context = {"case": case, "form": form, "conflict": conflict}
        return render(request, f"desk/cases/_form_{name}.html", context, status=status)
    context = detail_context(request, case, bound={name: form})
    context["conflict"] = conflict
    return render(request, "desk/cases/detail.html", context, status=status)


def case_changed(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The answer to a successful case action: every page part out of band (shared with the
    channels' case actions, so a reply refreshes the page like a note)."""
    if not request.htmx:
        return redirect("desk:case_detail", pk=pk)
    case = load_case(request, pk)
    context = detail_context(request, case)
    context["acted"] = name
    response = render(request, "desk/cases/_changed.html", context)
    # Everything arrives out of band; the acting form's own target is left alone.
    response["HX-Reswap"] = "none"
    response["HX-Trigger"] = json.dumps(
        {"caseChanged": {"id": case.pk, "version": case.version, "action": name}}
    )
    return response


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: NoteForm) -> None:
        uploads = [
            services.Upload(name=f.name, content=f.read()) for f in form.cleaned_data["files"]
        ]
        services.record_event(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            event_type="note",
            text=form.cleaned_data["text"],
            uploads=uploads,
        )

    return _act(
        request,
        pk,
        "note",
        lambda case: NoteForm(request.POST, request.FILES),
        perform,
        _("Note added to %(number)s."),
    )


@login_required
@require_POST
def case_call(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: CallForm) -> None:
        call_services.log_call(
            actor=request.user,
            case=case,
            direction=form.cleaned_data["direction"],
            number=form.cleaned_data["number"],
            text=form.cleaned_data["text"],
            duration=form.cleaned_data["duration"],
            outcome=form.cleaned_data["outcome"],
            call=call_selectors.unlogged_call(form.cleaned_data["call"]),
        )

    return _act(
        request, pk, "call", lambda case: CallForm(request.POST), perform, _("Call logged.")
    )


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: StatusForm) -> None:
        services.change_status(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )

    return _act(
        request,
        pk,
        "status",
        lambda case: StatusForm(request.POST, case=case),
        perform,
        _("Status of %(number)s changed."),
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: AssignForm) -> None:
        services.assign_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )

    def build(case: Case) -> AssignForm:
        owners = config.owners()
        if request.POST.get("take") and request.user not in owners:
            owners.append(request.user)
        data = request.POST.copy()
        if data.get("take"):
            data["owner"] = str(request.user.pk)
            data["team"] = ""
        return AssignForm(data, choices=Choices(owners=owners, teams=config.teams()))

    name = "take" if request.POST.get("take") else "assign"
    return _act(request, pk, name, build, perform, _("%(number)s assigned."))


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: DetailsForm) -> None:
        services.update_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.changes(),
        )

    return _act(
        request,
        pk,
        "edit",
        lambda case: DetailsForm(
            request.POST,
            choices=Choices(priorities=config.priorities(), reason_codes=codes_by_kind()[0]),
            case=case,
        ),
        perform,
        _("Details of %(number)s saved."),
    )


@login_required
@require_POST
def case_supply_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: SupplyForm) -> None:
        data = form.cleaned_data
        services.add_supply(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            product=data["product"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            description=data["description"],
        )

    return _act(
        request, pk, "supply", lambda case: SupplyForm(request.POST), perform, _("Supply added.")
    )


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
        return render(request, "desk/cases/_supplies.html", context, status=422)
    messages.success(request, _("Supply removed."))
    return case_changed(request, pk, "supply")


@login_required
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: ResolveForm) -> None:
        services.resolve_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )

    def build(case: Case) -> ResolveForm:
        reason_codes, resolution_codes = codes_by_kind()
        choices = Choices(reason_codes=reason_codes, resolution_codes=resolution_codes)
        return ResolveForm(request.POST, choices=choices, case=case)

    return _act(request, pk, "resolve", build, perform, _("%(number)s resolved."))


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: CloseForm) -> None:
        services.close_case(
            actor=request.user, channel=Channel.UI, case=case, version=form.cleaned_data["version"]
        )

    return _act(
        request, pk, "close", lambda case: CloseForm(request.POST), perform, _("%(number)s closed.")
    )


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: ReopenForm) -> None:
        services.reopen_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )

    return _act(
        request,
        pk,
        "reopen",
        lambda case: ReopenForm(request.POST),
        perform,
        _("%(number)s reopened."),
    )
