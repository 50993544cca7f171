"""The SMS form's live length and segment counter. (The form and sending are an action of
the case page: `caseflow.channels.case_page`.)"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from caseflow.channels.case_page import SMS_TEXT_LIMIT
from caseflow.channels.sms.length import measure


@login_required
@require_POST
def sms_length(request: HttpRequest) -> HttpResponse:
    """The counter under the message: characters, encoding, SMS segments (as the agent types)."""
    text = request.POST.get("text", "")[: SMS_TEXT_LIMIT * 2]
    context = {"length": measure(text), "limit": settings.SMS_MAX_SEGMENTS}
    return render(request, "channels/sms/_counter.html", context)


urlpatterns = [
    path("sms/length/", sms_length, name="sms_length"),
]
