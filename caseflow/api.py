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
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.security import SessionAuth

from caseflow.accounts.tokens import TokenAuth
from caseflow.core.errors import (
    Conflict,
    DomainError,
    NotAllowed,
    NotFound,
    Refused,
    api_message,
    validation_message,
)


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


def _field_of(loc: list[Any]) -> str | None:
    # ninja locations look like ["body", "payload", "subject"] or ["query", "limit"]
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(list(e.get("loc", []))), "message": validation_message(e)}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": api_message("invalid_input")}
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
    body = error_body("out_of_range", api_message("out_of_range"))
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, error_body("not_found", api_message("not_found")), status=404
    )


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, error_body("not_found", api_message("not_found")), status=404
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = error_body("not_allowed", str(exc) or api_message("not_allowed"))
    return api.create_response(request, body, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = error_body("unauthenticated", api_message("unauthenticated"))
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
