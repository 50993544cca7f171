"""The public web form: /support/ (language from the browser) and /support/<lang>/.

No login. A valid submission within the rate limits opens a case and redirects to the
thank-you page, which shows the case number (carried in a signed token, so the page can
show nothing else). A filled honeypot gets the same thank-you page and nothing is written;
errors and the rate limit re-show the form with the messages.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import re_path, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from caseflow.catalog.models import Product, ProductKind
from caseflow.channels.webform import limits
from caseflow.channels.webform.forms import HONEYPOT, SupportForm
from caseflow.channels.webform.services import submit_request
from caseflow.core.errors import DomainError

logger = logging.getLogger(__name__)

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
THANKS_SALT = "caseflow.webform.thanks"  # a namespace for signing, not a secret
TOKEN_MAX_AGE = 24 * 3600
MAX_PRODUCTS = 500


def _language(request: HttpRequest, lang: str | None) -> str:
    if lang in LANGUAGES:
        return lang
    wanted = translation.get_language_from_request(request)[:2]
    return wanted if wanted in LANGUAGES else settings.LANGUAGE_CODE


def _products() -> list[Product]:
    """The devices a customer can pick (the catalogue's active devices, by name)."""
    return list(
        Product.objects.filter(kind=ProductKind.DEVICE, archived_at__isnull=True)
        .only("pk", "name")
        .order_by("name", "pk")[:MAX_PRODUCTS]
    )


def _page(request: HttpRequest, template: str, context: dict, language: str, status: int = 200):
    context |= {"language": language, "languages": settings.LANGUAGES}
    response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return response


@require_http_methods(["GET", "POST"])
def support(request: HttpRequest, lang: str | None = None) -> HttpResponse:
    """The form; on POST, the case is opened (or the form comes back with its messages)."""
    language = _language(request, lang)
    with translation.override(language):
        products = _products()
        status = 200
        if request.method == "POST":
            if request.POST.get(HONEYPOT):
                logger.info("web form: honeypot filled, nothing written")
                return _page(request, "channels/webform/thanks.html", {}, language)
            form = SupportForm(request.POST, request.FILES, products=products)
            status = 422
            if form.is_valid():
                email, ip = form.cleaned_data["email"], limits.client_ip(request)
                reservation = limits.reserve(email, ip)
                if reservation is None:
                    form.add_error(
                        None,
                        _(
                            "We have received several requests from you in a short time. "
                            "Please try again later, or reply to our confirmation e-mail."
                        ),
                    )
                    status = 429
                else:
                    try:
                        case = submit_request(form.web_request(language))
                    except DomainError as exc:
                        reservation.release()  # only accepted submissions count
                        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                    except Exception:
                        reservation.release()
                        raise
                    else:
                        token = signing.dumps(case.number, salt=THANKS_SALT)
                        url = reverse("channels:webform_thanks", kwargs={"lang": language})
                        return redirect(f"{url}?t={token}")
        else:
            form = SupportForm(products=products)
        response = _page(
            request, "channels/webform/form.html", {"form": form}, language, status=status
        )
    if lang is None:
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_GET
def thanks(request: HttpRequest, lang: str) -> HttpResponse:
    """Thank you, with the case number when the token is genuine and fresh."""
    try:
        number = signing.loads(request.GET.get("t", ""), salt=THANKS_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        number = None
    with translation.override(lang):
        return _page(request, "channels/webform/thanks.html", {"number": number}, lang)


LANG = "(?P<lang>" + "|".join(LANGUAGES) + ")"

urlpatterns = [
    re_path(r"^support/$", support, name="webform"),
    re_path(rf"^support/{LANG}/$", support, name="webform_lang"),
    re_path(rf"^support/{LANG}/thanks/$", thanks, name="webform_thanks"),
]
