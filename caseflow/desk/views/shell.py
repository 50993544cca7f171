"""What belongs to no single screen: the start page and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST

from caseflow.accounts.models import Language
from caseflow.accounts.services import set_preferences


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Agents start where the phone rings: the incoming-call screen."""
    return redirect("desk:incoming")


@require_POST
@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language on the user's account, so every device and mail uses it."""
    language = request.POST.get("language", "")
    if language in Language.values:
        set_preferences(actor=request.user, user=request.user, language=language)
        activate(language)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if language in Language.values:  # the log-in page speaks it too, after logging out
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set_language"),
]
