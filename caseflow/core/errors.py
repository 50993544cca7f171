"""Errors that services raise. They say what is wrong in words for people (`message`) and
for programs (`code`, `field`); the API and the views turn them into 4xx answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DomainError(Exception):
    """A business rule refused the action; nothing was written."""

    code = "invalid"

    def __init__(
        self, message: Any, *, field: str | None = None, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if code is not None:
            self.code = code
        self.extra = extra


class NotAllowed(DomainError):
    """The actor's role does not allow the action."""

    code = "not_allowed"


class NotFound(DomainError):
    """A referenced object does not exist (or is not visible to the actor)."""

    code = "not_found"


class Conflict(DomainError):
    """The object changed since the caller read it (optimistic version check)."""

    code = "conflict"


class Refused(DomainError):
    """The request itself is refused before any business rule is asked (a webhook's missing
    signature, a malformed or oversize body, a switched-off feature): answered with `status`."""

    def __init__(
        self, status: int, code: str, message: Any, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message, field=field, code=code, **extra)
        self.status = status


# --- the API's own messages (caseflow/api.py), by the error body's `code` ------------------
API_MESSAGES = {
    "invalid_input": gettext_lazy("The input is not valid."),
    "out_of_range": gettext_lazy("A value is out of range for this field."),
    "not_found": gettext_lazy("Not found."),
    "not_allowed": gettext_lazy("Not allowed."),
    "unauthenticated": gettext_lazy("Log in or send a valid API token."),
}


def api_message(code: str) -> str:
    """The API's own message for `code`, in the active language."""
    return str(API_MESSAGES[code])


# --- the API's validation errors (caseflow/api.py) -------------------------------------------
# pydantic's messages for the errors a client meets most, in the request's language (its own
# words, in English, for the rest). Placeholders come from the error's `ctx`. Kept here, in
# `core`, so the core catalogues translate them.
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


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error in words, in the active language where we have them."""
    message = VALIDATION_MESSAGES.get(str(error.get("type", "")))
    if message is None:
        return str(error.get("msg", _("This value is not valid.")))
    try:
        return str(message) % {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", message))
