"""The language and time zone of every request (replaces Django's LocaleMiddleware).

Which language a request is answered in, first match wins:

1. the API (`/api/…`): the `Accept-Language` header, so a program gets its error messages
   in the language it asks for, whoever's token it sends;
2. a signed-in user who chose a language: that language;
3. everyone else (the log-in page, the web form, a user who chose none): the language
   cookie, then the browser's `Accept-Language` (English, German or Spanish), else English.

A signed-in user's time zone is active for the whole request; without one, TIME_ZONE.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def request_language(request: HttpRequest) -> str:
    """The language to answer `request` in (the rules above)."""
    if request.path.startswith(API_PREFIX):
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        for code, _quality in parse_accept_lang_header(header):
            if code == "*":
                break
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
        return settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", ""):
        return str(user.language)
    return translation.get_language_from_request(request)


def zone_of(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: activates the request's language and the user's time
    zone, and says on the answer what it varies by."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        user = getattr(request, "user", None)
        zone = zone_of(user.time_zone) if user is not None and user.is_authenticated else None
        if zone is not None:
            timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
