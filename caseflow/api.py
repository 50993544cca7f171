"""The JSON API root: authentication, one error body for every error, and the routers.

Every error answer is `{"code": …, "message": …, "field": …}` (plus `errors` for a list of
field problems), so programs can branch on `code` and show `message` to people. `code` is
English and stable; `message` is in the language the request asks for with
`Accept-Language` (English, German or Spanish; caseflow.accounts.middleware).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.security import SessionAuth

from caseflow.accounts.tokens import TokenAuth
from caseflow.core.errors import Conflict, DomainError, NotAllowed, NotFound, Refused


class BrowserSessionAuth(SessionAuth):
    """A logged-in desk session, with Django's CSRF check for it. A request without a session
    is simply not authenticated by it (401 from the API, as documented), rather than refused
    for a CSRF token it could not have (ninja checks CSRF before it looks at the session)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class CaseflowAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """`caseflow_<app>_api_<view>`, also where an app's API is a package of routers
        (`caseflow/catalog/api/products.py`): splitting a module keeps the ids clients use."""
        app, in_package, _part = operation.view_func.__module__.partition(".api.")
        if not in_package:
            return super().get_openapi_operation_id(operation)
        return f"{app}_api_{operation.view_func.__name__}".replace(".", "_")


api = CaseflowAPI(
    title="Caseflow API",
    version="1",
    description="After-sales service desk. Authenticate with a personal token "
    "(`Authorization: Bearer cf_…`) or a logged-in session.",
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
    # No badge from the public validator (an outside image the Content-Security-Policy
    # would refuse, and our schema's address given to a third party).
    docs=Swagger(settings={"validatorUrl": None}),
)

HTTP_STATUS: dict[type[DomainError], int] = {NotAllowed: 403, NotFound: 404, Conflict: 409}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, **extra}


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, Refused):
        status = exc.status
    else:
        status = next((s for cls, s in HTTP_STATUS.items() if isinstance(exc, cls)), 422)
    body = error_body(exc.code, exc.message, exc.field, **exc.extra)
    response = api.create_response(request, body, status=status)
    if status == 429 and "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


# pydantic's messages for the errors a client meets most, in the request's language (its own
# words, in English, for the rest). Placeholders come from the error's `ctx`.
VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_type": gettext_lazy("Enter a text."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "date_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "extra_forbidden": gettext_lazy("This field is not known."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "model_attributes_type": gettext_lazy("Send an object."),
    "dict_type": gettext_lazy("Send an object."),
    "list_type": gettext_lazy("Send a list."),
}


def _message_of(error: dict[str, Any]) -> str:
    """One pydantic error in words, in the active language where we have them."""
    message = VALIDATION_MESSAGES.get(str(error.get("type", "")))
    if message is None:
        return str(error.get("msg", _("This value is not valid.")))
    try:
        return str(message) % {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", message))


def _field_of(loc: list[Any]) -> str | None:
    # ninja locations look like ["body", "payload", "subject"] or ["query", "limit"]
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(list(e.get("loc", []))), "message": _message_of(e)} for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": _("The input is not valid.")}
    body = error_body("validation_error", first["message"], first["field"], errors=errors)
    return api.create_response(request, body, status=422)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if name == "__all__" else name, "message": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": None, "message": str(m)} for m in exc.messages]
    first = errors[0]
    body = error_body("validation_error", first["message"], first["field"], errors=errors)
    return api.create_response(request, body, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A number too large for the database's integer column (an id of 10**25, say): the
    # request is wrong, not the server. Schemas bound ids too; this is the safety net.
    body = error_body("out_of_range", _("A value is out of range for this field."))
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = error_body("not_allowed", str(exc) or _("Not allowed."))
    return api.create_response(request, body, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = error_body("unauthenticated", _("Log in or send a valid API token."))
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthenticated", 403: "not_allowed", 404: "not_found"}
    body = error_body(code.get(exc.status_code, "error"), str(exc))
    return api.create_response(request, body, status=exc.status_code)


def _mount() -> None:
    from caseflow.accounts.api import router as accounts_router
    from caseflow.cases.api import router as cases_router
    from caseflow.cases.history_api import router as unit_history_router
    from caseflow.catalog.api import router as catalog_router
    from caseflow.channels.api import router as channels_router
    from caseflow.customers.api import router as customers_router

    api.add_router("/auth", accounts_router)
    api.add_router("/customers", customers_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/catalog", unit_history_router)  # a unit's cases: served by `cases`
    api.add_router("/cases", cases_router)
    api.add_router("/channels", channels_router)


_mount()
