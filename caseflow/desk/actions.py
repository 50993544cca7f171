"""The desk's own actions on a case, registered like any app's (`caseflow.ui.registry`):
a note, the workflow (take, assign, status, resolve, close, reopen), the details and the
supplies. Each says who may use it on which case, builds its form and performs a valid one
with one service of `caseflow.cases.services`; the services refuse what the screen lets
through anyway."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.roles import can
from caseflow.cases import config, services
from caseflow.cases import status as rules
from caseflow.cases.models import Case, CodeKind
from caseflow.core.models import Channel
from caseflow.desk.forms.cases import (
    AssignForm,
    Choices,
    CloseForm,
    DetailsForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    SupplyForm,
    TakeForm,
)
from caseflow.ui.registry import Action


def _codes() -> tuple[list[Any], list[Any]]:
    """The active reason and resolution codes (cached per process)."""
    codes = config.codes()
    return (
        [c for c in codes if c.kind == CodeKind.REASON],
        [c for c in codes if c.kind == CodeKind.RESOLUTION],
    )


def _version(case: Case) -> dict[str, int]:
    return {"version": case.version}


# --- a note -------------------------------------------------------------------------------


def note_form(request: HttpRequest, case: Case, bound: bool) -> NoteForm:
    return NoteForm(request.POST, request.FILES) if bound else NoteForm()


def add_note(request: HttpRequest, case: Case, form: NoteForm) -> str:
    uploads = [services.Upload(name=f.name, content=f.read()) for f in form.cleaned_data["files"]]
    services.record_event(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        event_type="note",
        text=form.cleaned_data["text"],
        uploads=uploads,
    )
    return ""


# --- the workflow -------------------------------------------------------------------------


def status_form(request: HttpRequest, case: Case, bound: bool) -> StatusForm:
    if bound:
        return StatusForm(request.POST, case=case)
    return StatusForm(initial=_version(case), case=case)


def change_status(request: HttpRequest, case: Case, form: StatusForm) -> str:
    services.change_status(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        status=form.cleaned_data["status"],
        version=form.cleaned_data["version"],
        note=form.cleaned_data["note"],
    )
    return ""


def _assign_form(request: HttpRequest, *, take: bool) -> AssignForm:
    """The posted assignment; "take it" makes the agent the owner, without a team."""
    owners = config.owners()
    if take and request.user not in owners:
        owners = [*owners, request.user]
    data = request.POST.copy()
    if take:
        data["owner"] = str(request.user.pk)
        data["team"] = ""
    return AssignForm(data, choices=Choices(owners=owners, teams=config.teams()))


def assign_form(request: HttpRequest, case: Case, bound: bool) -> AssignForm:
    if bound:  # a "take it" posted here before it had its own address is still taken
        return _assign_form(request, take=bool(request.POST.get("take")))
    initial = {**_version(case), "owner": str(case.owner_id or ""), "team": str(case.team_id or "")}
    return AssignForm(
        initial=initial, choices=Choices(owners=config.owners(), teams=config.teams())
    )


def take_form(request: HttpRequest, case: Case, bound: bool) -> AssignForm | TakeForm:
    if bound:
        return _assign_form(request, take=True)
    return TakeForm(initial=_version(case))


def assign(request: HttpRequest, case: Case, form: AssignForm) -> str:
    services.assign_case(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        version=form.cleaned_data["version"],
        **form.service_kwargs(),
    )
    return ""


def resolve_form(request: HttpRequest, case: Case, bound: bool) -> ResolveForm:
    reason_codes, resolution_codes = _codes()
    choices = Choices(reason_codes=reason_codes, resolution_codes=resolution_codes)
    if bound:
        return ResolveForm(request.POST, choices=choices, case=case)
    return ResolveForm(initial=ResolveForm.initial_for(case), choices=choices, case=case)


def resolve(request: HttpRequest, case: Case, form: ResolveForm) -> str:
    services.resolve_case(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        version=form.cleaned_data["version"],
        **form.service_kwargs(),
    )
    return ""


def close_form(request: HttpRequest, case: Case, bound: bool) -> CloseForm:
    return CloseForm(request.POST) if bound else CloseForm(initial=_version(case))


def close(request: HttpRequest, case: Case, form: CloseForm) -> str:
    services.close_case(
        actor=request.user, channel=Channel.UI, case=case, version=form.cleaned_data["version"]
    )
    return ""


def reopen_form(request: HttpRequest, case: Case, bound: bool) -> ReopenForm:
    return ReopenForm(request.POST) if bound else ReopenForm(initial=_version(case))


def reopen(request: HttpRequest, case: Case, form: ReopenForm) -> str:
    services.reopen_case(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
    )
    return ""


# --- details and supplies -----------------------------------------------------------------


def details_form(request: HttpRequest, case: Case, bound: bool) -> DetailsForm:
    reason_codes, resolution_codes = _codes()
    choices = Choices(
        priorities=config.priorities(),
        reason_codes=reason_codes,
        resolution_codes=resolution_codes,
    )
    if bound:
        return DetailsForm(request.POST, choices=choices, case=case)
    return DetailsForm(initial=DetailsForm.initial_for(case), choices=choices, case=case)


def save_details(request: HttpRequest, case: Case, form: DetailsForm) -> str:
    services.update_case(
        actor=request.user,
        channel=Channel.UI,
        case=case,
        version=form.cleaned_data["version"],
        **form.changes(),
    )
    return ""


def supply_form(request: HttpRequest, case: Case, bound: bool) -> SupplyForm:
    return SupplyForm(request.POST) if bound else SupplyForm()


def add_supply(request: HttpRequest, case: Case, form: SupplyForm) -> str:
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
    return ""


ACTIONS = (
    Action(
        name="note",
        label=_("Add a note"),
        panel="log",
        order=10,
        key="n",
        style="btn-outline-primary",
        css="mb-2",
        lazy=False,  # the commonest action: on the page
        template="desk/cases/_form_note.html",
        form=note_form,
        perform=add_note,
        done=_("Note added to %(number)s."),
        allowed=lambda user, case: can(user, "case.event") and rules.accepts_changes(case),
    ),
    Action(
        name="take",
        label=_("Take it"),
        help=_("Take the case"),
        panel="workflow",
        order=10,
        key="t",
        inline=True,  # one button
        lazy=False,
        template="desk/cases/_form_take.html",
        form=take_form,
        perform=assign,
        done=_("%(number)s assigned."),
        allowed=lambda user, case: (
            can(user, "case.update") and rules.accepts_changes(case) and case.owner_id != user.pk
        ),
    ),
    Action(
        name="assign",
        label=_("Assign"),
        panel="workflow",
        order=20,
        key="a",
        template="desk/cases/_form_assign.html",
        form=assign_form,
        perform=assign,
        done=_("%(number)s assigned."),
        allowed=lambda user, case: can(user, "case.assign") and rules.accepts_changes(case),
    ),
    Action(
        name="status",
        label=_("Change status"),
        panel="workflow",
        order=30,
        key="s",
        template="desk/cases/_form_status.html",
        form=status_form,
        perform=change_status,
        done=_("Status of %(number)s changed."),
        allowed=lambda user, case: can(user, "case.status") and bool(rules.allowed_targets(case)),
    ),
    Action(
        name="resolve",
        label=_("Resolve"),
        panel="workflow",
        order=40,
        key="r",
        style="btn-outline-success",
        template="desk/cases/_form_resolve.html",
        form=resolve_form,
        perform=resolve,
        done=_("%(number)s resolved."),
        allowed=lambda user, case: can(user, "case.resolve") and rules.may_resolve(case),
    ),
    Action(
        name="close",
        label=_("Close the case"),
        help=_("Close the case (done)"),
        panel="workflow",
        order=50,
        key="d",  # opens the form: one key alone never closes a case
        style="btn-outline-dark",
        lazy=False,
        template="desk/cases/_form_close.html",
        form=close_form,
        perform=close,
        done=_("%(number)s closed."),
        allowed=lambda user, case: can(user, "case.close") and rules.may_close(case),
    ),
    Action(
        name="reopen",
        label=_("Reopen"),
        panel="workflow",
        order=60,
        key="o",
        style="btn-outline-warning",
        lazy=False,
        template="desk/cases/_form_reopen.html",
        form=reopen_form,
        perform=reopen,
        done=_("%(number)s reopened."),
        allowed=lambda user, case: can(user, "case.reopen") and rules.may_reopen(case),
    ),
    Action(
        name="edit",
        label=_("Edit details"),
        help=_("Edit symptom, diagnosis, solution"),
        panel="details",
        key="e",
        css="mt-2",
        path="details",
        template="desk/cases/_form_edit.html",
        form=details_form,
        perform=save_details,
        done=_("Details of %(number)s saved."),
        allowed=lambda user, case: can(user, "case.update") and rules.accepts_changes(case),
    ),
    Action(
        name="supply",
        label=_("Add a supply"),
        panel="supplies",
        path="supplies",
        url_name="case_supply_add",
        template="desk/cases/_form_supply.html",
        form=supply_form,
        perform=add_supply,
        done=_("Supply added."),
        allowed=lambda user, case: can(user, "case.supply") and rules.accepts_changes(case),
    ),
)
