"""Model validation for services: Django's ValidationError becomes a DomainError that names
the field, so every entry point answers the same way."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models

from caseflow.core.errors import DomainError


def raise_first(exc: ValidationError, *, prefix: str = "") -> None:
    """Raise the first problem of `exc` (from full_clean) as a DomainError naming the field."""
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        field = None if name == "__all__" else f"{prefix}{name}"
        raise DomainError(errors[0].messages[0], field=field) from exc
    raise DomainError(exc.messages[0]) from exc


def validate(
    obj: models.Model,
    *,
    prefix: str = "",
    exclude: Sequence[str] = (),
    constraints: bool = True,
) -> None:
    """`full_clean()` as a DomainError. Relations given as model instances are best excluded
    (checking them costs a query each); `constraints=False` leaves CHECK constraints to the
    database where the service already guarantees them."""
    try:
        obj.full_clean(
            exclude=list(exclude), validate_unique=True, validate_constraints=constraints
        )
    except ValidationError as exc:
        raise_first(exc, prefix=prefix)


def validate_fields(obj: models.Model, *, prefix: str = "", exclude: Sequence[str] = ()) -> None:
    """The field rules only (`clean_fields()`), as a DomainError: no `clean()`, no uniqueness
    or constraint queries, for a change whose other rules the service checks itself and the
    database holds."""
    try:
        obj.clean_fields(exclude=list(exclude))
    except ValidationError as exc:
        raise_first(exc, prefix=prefix)
