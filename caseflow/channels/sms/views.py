"""The case's "SMS" action: the form (loaded when the agent opens it, the number prefilled
with the contact's mobile), its live length and segment counter, and sending."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from caseflow.accounts.roles import can
from caseflow.cases import selectors as case_selectors
from caseflow.cases.models import Case, CaseStatus
from caseflow.channels.sms import selectors, services
from caseflow.channels.sms.length import measure
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.phones import display

TEXT_LIMIT = 2000  # characters the form takes; the segment limit is the real one


class SmsForm(forms.Form):
    to = forms.CharField(
        label=gettext_lazy("To (mobile number)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=TEXT_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def _case(request: HttpRequest, pk: int) -> Case:
    try:
        return case_selectors.case_detail(viewer=request.user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


def _render(request: HttpRequest, case: Case, form: SmsForm, status: int = 200) -> HttpResponse:
    text = form["text"].value() or ""
    context: dict[str, Any] = {
        "case": case,
        "form": form,
        "length": measure(str(text)),
        "limit": settings.SMS_MAX_SEGMENTS,
    }
    return render(request, "channels/sms/_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form; POST: send, then show the case again (the SMS on its timeline)."""
    case = _case(request, pk)
    if not can(request.user, "case.event"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    if case.status == CaseStatus.CLOSED:
        return HttpResponseForbidden(_("Case %(number)s is closed.") % {"number": case.number})
    if request.method == "GET":
        mobile = selectors.mobile_for(case)
        initial = {"to": display(mobile) if mobile else "", "key": uuid.uuid4().hex}
        return _render(request, case, SmsForm(initial=initial))
    form = SmsForm(request.POST)
    if form.is_valid():
        try:
            services.send_sms(
                actor=request.user,
                case=case,
                to=form.cleaned_data["to"],
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
            )
        except NotAllowed as exc:
            return HttpResponseForbidden(exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("SMS to the customer queued."))
            target = reverse("desk:case_detail", args=[case.pk])
            if request.htmx:
                response = HttpResponse()
                response["HX-Location"] = target
                return response
            return redirect(target)
    if not request.htmx:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, "; ".join(problems))
        return redirect("desk:case_detail", pk=case.pk)
    return _render(request, case, form, status=422)


@login_required
@require_POST
def sms_length(request: HttpRequest) -> HttpResponse:
    """The counter under the message: characters, encoding, SMS segments (as the agent types)."""
    text = request.POST.get("text", "")[: TEXT_LIMIT * 2]
    context = {"length": measure(text), "limit": settings.SMS_MAX_SEGMENTS}
    return render(request, "channels/sms/_counter.html", context)


urlpatterns = [
    path("cases/<int:pk>/sms/", case_sms, name="case_sms"),
    path("sms/length/", sms_length, name="sms_length"),
]
