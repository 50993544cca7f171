"""The desk's e-mail actions on a case: the reply form (filled from a template on request),
sending, and sending a failed mail again. Thin: each POST calls one service.

The reply form is loaded when the agent opens it (its defaults cost a few queries the case
page need not pay); a sent reply answers like every other case action, with the changed
page parts out of band (the desk's `case_changed`), plus a fresh reply form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from caseflow.accounts.roles import can
from caseflow.cases.models import Case
from caseflow.cases.services import Upload
from caseflow.channels.models import OutboundMessage
from caseflow.channels.outbound import selectors, services, templating
from caseflow.channels.outbound.forms import ReplyForm
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.desk.views.cases import add_service_error, case_changed, load_case


def _form_context(request: HttpRequest, case: Case, form: ReplyForm, defaults: dict) -> dict:
    return {"case": case, "form": form, "defaults": defaults}


def _template_choices(defaults: dict) -> list:
    return templating.choosable(defaults["language"], services.REPLY_PURPOSES)


def _initial(request: HttpRequest, case: Case, defaults: dict, templates: list) -> dict:
    """The form's start: the default address, or what the agent typed before picking a
    template; subject and text from the picked template."""
    initial = {
        "to": request.GET.get("to", "")[:2000] or defaults["to"],
        "cc": request.GET.get("cc", "")[:2000],
        "subject": f"Re: {case.subject}",
    }
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
    if chosen is not None:
        subject, body = templating.render_template(
            chosen,
            case,
            language=defaults["language"],
            agent_name=services.agent_name(request.user),
            signature=defaults["signature"],
        )
        initial |= {"template": str(chosen.pk), "subject": subject, "body": body}
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the reply form (with `template`, filled from it). POST: send the reply."""
    case = load_case(request, pk)
    if not can(request.user, "case.event"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    defaults = selectors.reply_defaults(case)
    templates = _template_choices(defaults)
    if request.method == "GET":
        form = ReplyForm(initial=_initial(request, case, defaults, templates), templates=templates)
        template = "channels/_form_reply.html" if request.htmx else "channels/reply_page.html"
        return render(request, template, _form_context(request, case, form, defaults))

    form = ReplyForm(request.POST, request.FILES, templates=templates)
    status, conflict = 422, False
    if form.is_valid():
        data = form.cleaned_data
        try:
            outbound = services.send_reply(
                actor=request.user,
                case=case,
                to=data["to"],
                cc=data["cc"],
                subject=data["subject"],
                body=data["body"],
                template=form.chosen_template,
                attachments=[Upload(name=f.name, content=f.read()) for f in data["files"]],
                channel=Channel.UI,
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status, conflict = 409, True
        except DomainError as exc:
            if exc.field == "attachments":
                exc.field = "files"
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("E-mail to %(to)s queued.") % {"to": ", ".join(outbound.to.split())},
            )
            response = case_changed(request, pk, "reply")
            if request.htmx:
                fresh = render_to_string(
                    "channels/_reply.html",
                    {"case": case, "allowed": {"event": True}, "oob": True},
                    request=request,
                )
                response.content += fresh.encode()
            return response
    context = _form_context(request, case, form, defaults)
    context["conflict"] = conflict
    template = "channels/_form_reply.html" if request.htmx else "channels/reply_page.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def outbound_retry(request: HttpRequest, pk: int, outbound_id: int) -> HttpResponse:
    """Send a failed e-mail again; answers the message's status line."""
    case = load_case(request, pk)
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
    path("cases/<int:pk>/reply/", case_reply, name="case_reply"),
    path(
        "cases/<int:pk>/outbound/<int:outbound_id>/retry/",
        outbound_retry,
        name="outbound_retry",
    ),
]
