"""The signed-in user's own settings: the language of the desk and the time zone of its
times. Saved on the account (accounts.services.set_preferences, audited)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseflow.accounts.models import Language
from caseflow.accounts.services import set_preferences
from caseflow.core.errors import DomainError
from caseflow.ui.forms import DeskForm, add_service_error

# Offered first: where Caseflow's users work (the rest follow, A to Z; type to search).
COMMON_ZONES = (
    "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Madrid", "Atlantic/Canary",
    "Europe/London", "Europe/Paris", "Europe/Amsterdam", "Europe/Lisbon", "Europe/Rome",
    "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires",
    "America/Santiago", "America/Lima", "America/New_York", "UTC",
)  # fmt: skip


@cache
def zone_choices() -> list[Any]:
    common = [(zone, zone.replace("_", " ")) for zone in COMMON_ZONES]
    others = sorted(zoneinfo.available_timezones() - set(COMMON_ZONES) - {"localtime"})
    return [
        (gettext_lazy("Common"), common),
        (gettext_lazy("All time zones"), [(zone, zone.replace("_", " ")) for zone in others]),
    ]


class ProfileForm(DeskForm):
    slug = "profile"

    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("Without a choice, the desk follows your browser's language."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Every time on the desk is shown in it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("The browser's language")),
            *Language.choices,
        ]
        self.fields["time_zone"].choices = zone_choices()  # type: ignore[attr-defined]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Show and change the user's language and time zone."""
    user = request.user
    initial = {"language": user.language, "time_zone": user.time_zone}  # type: ignore[union-attr]
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_preferences(
                actor=user,  # type: ignore[arg-type]
                user=user,  # type: ignore[arg-type]
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your settings are saved."))
            response = redirect("desk:profile")
            # the log-in page and the web form follow the choice too (none: the browser's)
            chosen = form.cleaned_data["language"]
            if chosen:
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax")
            else:
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    status = 422 if request.method == "POST" else 200
    return render(request, "desk/profile.html", {"form": form}, status=status)


urlpatterns = [path("profile/", profile, name="profile")]
