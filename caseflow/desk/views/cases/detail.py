"""The case page: what the viewer may do, the action forms (loaded when opened), the page
and its parts."""

from __future__ import annotations

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

from caseflow.accounts.roles import can
from caseflow.cases import config, selectors
from caseflow.cases.downloads import attachment_response
from caseflow.cases.models import (
    Attachment,
    Case,
    CodeKind,
)
from caseflow.catalog.selectors import warranty_status
from caseflow.core.errors import DomainError
from caseflow.desk.forms.cases import (
    Choices,
    code_options,
    specific_codes,
)
from caseflow.desk.views.cases.common import attach_choices
from caseflow.desk.views.cases.timeline import timeline_context
from caseflow.ui.registry import PLACEMENTS, Action, ActionView, PanelView, registry
from caseflow.ui.shortcuts import case_or_404

# --- the page -----------------------------------------------------------------------------

load_case = case_or_404


def _opens(action: Action, request: HttpRequest, opened: str) -> bool:
    """Whether the page shows the action's form open: named by `?open=` (the page without
    JavaScript) or opened by the address (`Action.opens`)."""
    return action.name == opened or (action.opens is not None and action.opens(request))


def action_view(action: Action, case: Case, form: Any, base: str = "") -> ActionView:
    """`action` on `case` for the partials: its form and addresses (`base`: the case page's
    address, when the caller has it already)."""
    base = base or reverse("desk:case_detail", args=[case.pk])
    return ActionView(
        action=action,
        form=form,
        url=f"{base}{action.route}/",
        form_url=f"{base}forms/{action.name}/?version={case.version}",
        page_url=f"{base}?{urlencode({'open': action.name})}",
        case_url=base,
    )


def action_views(
    request: HttpRequest,
    case: Case,
    allowed: dict[str, bool],
    bound: dict[str, forms.Form],
    opened: str = "",
) -> dict[str, ActionView]:
    """Every action the viewer may use on the case, in page order: a bound form as it was
    posted; a lazy one without its form (fetched when opened) unless the page opens it;
    the others built."""
    base = reverse("desk:case_detail", args=[case.pk])
    views = {}
    for action in registry.actions():
        if not allowed[action.name]:
            continue
        form: Any = None
        if action.name in bound:
            form = bound[action.name]
        elif not action.lazy or action.inline or _opens(action, request, opened):
            form = action.form(request, case, False)
            if action.name == opened:
                form.opened = True
        views[action.name] = action_view(action, case, form, base)
    return views


def panel_views(
    request: HttpRequest, case: Case, actions: dict[str, ActionView]
) -> dict[str, list[PanelView]]:
    """Every panel by placement, in page order, each with the viewer's actions in it."""
    placed: dict[str, list[PanelView]] = {placement: [] for placement in PLACEMENTS}
    for panel in registry.panels():
        data = panel.context(request, case) if panel.context is not None else {}
        mine = [view for view in actions.values() if view.action.panel == panel.name]
        placed[panel.placement].append(PanelView(panel=panel, actions=mine, data=data))
    return placed


def all_panels(context: dict[str, Any]) -> list[PanelView]:
    """The page's panels (of `detail_context`), in page order."""
    return [view for views in context["panels"].values() for view in views]


def panel_named(context: dict[str, Any], name: str) -> PanelView | None:
    return next((view for view in all_panels(context) if view.name == name), None)


def detail_context(
    request: HttpRequest,
    case: Case,
    bound: dict[str, forms.Form] | None = None,
    opened: str = "",
) -> dict[str, Any]:
    """The case page's context: the case with what its header shows, which actions the
    viewer may use (`allowed`, by name), the panels with their actions, the supplies, the
    first page of the timeline and the shortcuts."""
    # priority, owner and team: not joined by the selector, taken from the cached rows
    attach_choices(
        [case],
        Choices(priorities=config.priorities(), owners=config.owners(), teams=config.teams()),
    )
    allowed = {action.name: action.allowed(request.user, case) for action in registry.actions()}
    actions = action_views(request, case, allowed, bound or {}, opened)
    lines = case.active_supplies  # type: ignore[attr-defined]
    return {
        "case": case,
        "allowed": allowed,
        "panels": panel_views(request, case, actions),
        "lines": lines,
        "totals": selectors.supply_totals(lines),
        "cover": warranty_status(case.unit, timezone.localdate()) if case.unit else None,
        "case_type_overridden": case.case_type != case.suggested_case_type,
        "shortcuts": registry.shortcuts_html(),
        **timeline_context(case, [], None),
    }


def _lazy(name: str) -> Action | None:
    action = registry.action_named(name)
    return action if action is not None and action.lazy and not action.inline else None


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header, panels, timeline, and the actions the viewer may take."""
    case = load_case(request, pk)
    opened = request.GET.get("open", "")
    context = detail_context(request, case, opened=opened if _lazy(opened) else "")
    return render(request, "desk/cases/detail.html", context)


@login_required
@require_GET
def case_action_form(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One action form, loaded when the agent opens it on the case page (htmx). It carries
    the version the page showed, so a change by someone else in between still answers
    "changed by … at …" on saving. Without htmx: the case page with the form open."""
    action = _lazy(name)
    if action is None:
        raise Http404(_("No such form."))
    if not request.htmx:
        return redirect(f"{reverse('desk:case_detail', args=[pk])}?{urlencode({'open': name})}")
    case = load_case(request, pk)
    if not action.allowed(request.user, case):
        return HttpResponseForbidden(_("You cannot do this on this case now."))
    form = action.form(request, case, False)
    shown = request.GET.get("version", "")
    if "version" in form.fields and shown.isdigit():
        form.initial["version"] = int(shown)
    context = {"case": case, "form": form, "action": action_view(action, case, form)}
    return render(request, action.template, context)


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
