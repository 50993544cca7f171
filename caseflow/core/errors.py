"""Errors that services raise. They say what is wrong in words for people (`message`) and
for programs (`code`, `field`); the API and the views turn them into 4xx answers."""

from __future__ import annotations

from typing import Any


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
