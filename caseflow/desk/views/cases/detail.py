"""The case page: what the viewer may do, the action forms (loaded when opened), the page
and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caseflow.accounts.models import User
from caseflow.accounts.roles import can
from caseflow.cases import config, selectors
from caseflow.cases.downloads import attachment_response
from caseflow.cases.models import (
    TRANSITIONS,
    Attachment,
    Case,
    CaseStatus,
    CodeKind,
)
from caseflow.catalog.selectors import warranty_status
from caseflow.channels.calls import selectors as call_selectors
from caseflow.core.errors import DomainError
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
    allowed_statuses,
    code_options,
    specific_codes,
)
from caseflow.desk.views.cases.common import attach_choices, codes_by_kind
from caseflow.desk.views.cases.timeline import timeline_context

# --- the detail ---------------------------------------------------------------------------


def load_case(request: HttpRequest, pk: int) -> Case:
    """The case as the viewer may see it, or 404 (shared with the channels' case actions)."""
    try:
        return selectors.case_detail(viewer=request.user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


@dataclass
class Allowed:
    """Which controls the viewer sees on this case (the services refuse the rest anyway)."""

    event: bool
    status: bool
    take: bool
    assign: bool
    update: bool
    supply: bool
    resolve: bool
    close: bool
    reopen: bool

    @classmethod
    def on(cls, user: User, case: Case) -> Allowed:
        closed = case.status == CaseStatus.CLOSED
        return cls(
            event=can(user, "case.event") and not closed,
            status=can(user, "case.status") and bool(allowed_statuses(case)),
            take=can(user, "case.update") and not closed and case.owner_id != user.pk,
            assign=can(user, "case.assign") and not closed,
            update=can(user, "case.update") and not closed,
            supply=can(user, "case.supply") and not closed,
            resolve=can(user, "case.resolve") and CaseStatus.RESOLVED in TRANSITIONS[case.status],
            close=can(user, "case.close") and case.status == CaseStatus.RESOLVED,
            reopen=can(user, "case.reopen")
            and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED),
        )

    @property
    def workflow(self) -> bool:
        return any((self.status, self.take, self.assign, self.resolve, self.close, self.reopen))


# The action forms a case page loads only when the agent opens them (htmx, on the <details>
# toggle): their selects and widgets are most of a page's rendering, and most visits open
# none. The note (the commonest action) and the one-button forms stay on the page.
LAZY_ACTIONS = ("call", "status", "assign", "edit", "supply", "resolve")
# Which choice lists each form needs.
NEEDS = {
    "assign": ("owners", "teams"),
    "edit": ("priorities", "codes"),
    "resolve": ("codes",),
}


@dataclass
class LazyForm:
    """Stands in for an action form on the case page until the agent opens it."""

    url: str  # the form alone (htmx)
    page_url: str  # the case page with the form open (no JavaScript)
    lazy: bool = True
    is_bound: bool = False
    opened: bool = False


def _choices_for(names: set[str]) -> Choices:
    """Only the select lists the built forms need (cached configuration rows)."""
    needs = {need for name in names for need in NEEDS.get(name, ())}
    choices = Choices()
    if "priorities" in needs:
        choices.priorities = config.priorities()
    if "owners" in needs:
        choices.owners = config.owners()
        choices.teams = config.teams()
    if "codes" in needs:
        choices.reason_codes, choices.resolution_codes = codes_by_kind()
    return choices


def _allowed_forms(allowed: Allowed) -> list[str]:
    """The action forms the viewer may use on this case, in page order."""
    shown = {
        "note": allowed.event,
        "call": allowed.event,
        "status": allowed.status,
        "assign": allowed.assign,
        "edit": allowed.update,
        "supply": allowed.supply,
        "resolve": allowed.resolve,
        "close": allowed.close,
        "reopen": allowed.reopen,
    }
    return [name for name, ok in shown.items() if ok]


def _build_form(name: str, case: Case, choices: Choices) -> forms.Form:
    """The unbound form `name` for the case as it is now."""
    version = {"version": case.version}
    if name == "note":
        return NoteForm()
    if name == "call":
        return CallForm()
    if name == "status":
        return StatusForm(initial=version, case=case)
    if name == "assign":
        initial = {**version, "owner": str(case.owner_id or ""), "team": str(case.team_id or "")}
        return AssignForm(initial=initial, choices=choices)
    if name == "edit":
        return DetailsForm(initial=DetailsForm.initial_for(case), choices=choices, case=case)
    if name == "supply":
        return SupplyForm()
    if name == "resolve":
        return ResolveForm(initial=ResolveForm.initial_for(case), choices=choices, case=case)
    if name == "close":
        return CloseForm(initial=version)
    if name == "reopen":
        return ReopenForm(initial=version)
    raise ValueError(name)


def _forms(
    case: Case, allowed: Allowed, bound: dict[str, forms.Form], opened: str = ""
) -> dict[str, Any]:
    """Every action form the viewer may use: bound ones as they were posted, the lazy ones
    as placeholders (unless `opened` names one: the page without JavaScript), the rest
    built."""
    names = _allowed_forms(allowed)
    eager = {n for n in names if n not in bound and (n not in LAZY_ACTIONS or n == opened)}
    choices = _choices_for(eager)
    built: dict[str, Any] = dict.fromkeys(
        ("note", "call", "status", "assign", "edit", "supply", "resolve", "close", "reopen")
    )
    base = reverse("desk:case_detail", args=[case.pk])
    for name in names:
        if name in bound:
            built[name] = bound[name]
        elif name in eager:
            built[name] = _build_form(name, case, choices)
            built[name].opened = name == opened
        else:
            query = urlencode({"version": case.version})
            built[name] = LazyForm(
                url=f"{base}forms/{name}/?{query}", page_url=f"{base}?{urlencode({'open': name})}"
            )
    return built


def detail_context(
    request: HttpRequest,
    case: Case,
    bound: dict[str, forms.Form] | None = None,
    opened: str = "",
) -> dict[str, Any]:
    user = request.user
    allowed = Allowed.on(user, case)
    # priority, owner and team: not joined by the selector, taken from the cached rows
    attach_choices(
        [case],
        Choices(priorities=config.priorities(), owners=config.owners(), teams=config.teams()),
    )
    lines = case.active_supplies  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "case": case,
        "allowed": allowed,
        "forms": _forms(case, allowed, bound or {}, opened),
        "lines": lines,
        "totals": selectors.supply_totals(lines),
        "cover": warranty_status(case.unit, timezone.localdate()) if case.unit else None,
        "case_type_overridden": case.case_type != case.suggested_case_type,
        **timeline_context(case, [], None),
    }
    return context


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header, details, supplies, timeline, and the actions the viewer may take."""
    case = load_case(request, pk)
    opened = request.GET.get("open", "")
    context = detail_context(request, case, opened=opened if opened in LAZY_ACTIONS else "")
    # "Log the call" from the incoming-call notice: the PBX's call prefills the call form.
    prefill = call_selectors.call_form_prefill(request.GET.get("call"))
    if prefill and context["forms"]["call"] is not None:
        context["forms"]["call"] = CallForm(initial=prefill)
        context["forms"]["call"].opened = True
    return render(request, "desk/cases/detail.html", context)


@login_required
@require_GET
def case_action_form(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One action form, loaded when the agent opens it on the case page (htmx). It carries
    the version the page showed, so a change by someone else in between still answers
    "changed by … at …" on saving. Without htmx: the case page with the form open."""
    if name not in LAZY_ACTIONS:
        raise Http404(_("No such form."))
    if not request.htmx:
        return redirect(f"{reverse('desk:case_detail', args=[pk])}?{urlencode({'open': name})}")
    case = load_case(request, pk)
    if name not in _allowed_forms(Allowed.on(request.user, case)):
        return HttpResponseForbidden(_("You cannot do this on this case now."))
    form = _build_form(name, case, _choices_for({name}))
    shown = request.GET.get("version", "")
    if "version" in form.fields and shown.isdigit():
        form.initial["version"] = int(shown)
    return render(request, f"desk/cases/_form_{name}.html", {"case": case, "form": form})


@login_required
@require_GET
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline filtered by the chips; with a cursor, only the next older events."""
    case = load_case(request, pk)
    cursor = request.GET.get("cursor") or None
    try:
        context = timeline_context(case, request.GET.getlist("show"), cursor)
    except DomainError:
        context = timeline_context(case, request.GET.getlist("show"), None)
        cursor = None
    context["case"] = case
    template = "desk/cases/_events.html" if cursor else "desk/cases/_timeline.html"
    if not request.htmx:
        return redirect("desk:case_detail", pk=pk)
    return render(request, template, context)


@login_required
@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A file of the timeline, always as a download: never rendered in our origin."""
    if not selectors.cases_visible_to(request.user).filter(pk=pk).exists():
        raise Http404(_("No such case."))
    attachment = Attachment.objects.filter(pk=attachment_id, event__case_id=pk).first()
    if attachment is None:
        raise Http404(_("No such file."))
    return attachment_response(attachment)


@login_required
@require_GET
def specific_code_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the specific reason or resolution codes under the chosen general one
    (`?reason_general=` or `?resolution_general=`, as the general select sends itself)."""
    if not can(request.user, "case.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    kind = CodeKind.REASON if "reason_general" in request.GET else CodeKind.RESOLUTION
    general = request.GET.get(f"{kind}_general", "")
    options = []
    if general.isdigit() and len(general) <= 12:
        codes = list(selectors.codes(kind=kind, parent_id=int(general)))
        options = specific_codes(codes, general)
    return HttpResponse(code_options(options, None, specific=True))
