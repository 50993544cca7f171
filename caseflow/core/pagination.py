"""Keyset ("cursor") pagination: page N costs the same as page 1, at any depth.

A cursor is an opaque, URL-safe token holding the sort values of the last row served.
The ordering must end in a unique field (normally `id`) and use non-null fields.
"""

from __future__ import annotations

import base64
import binascii
import json
import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from caseflow.core.errors import DomainError

M = TypeVar("M", bound=Model)

MAX_LIMIT = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    # Full microseconds: DjangoJSONEncoder keeps milliseconds only, and a row received in
    # the same millisecond as the page's last one would be skipped or served twice.
    values = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, fields: list[tuple[str, bool]], model: type[Model]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        return [
            model._meta.get_field(name).to_python(value)  # type: ignore[union-attr]
            for (name, _desc), value in zip(fields, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise DomainError(
            gettext("The cursor is not valid; start again from the first page."),
            field="cursor",
            code="invalid_cursor",
        ) from exc
    except Exception as exc:
        raise DomainError(
            gettext("The cursor is not valid; start again from the first page."),
            field="cursor",
            code="invalid_cursor",
        ) from exc


def _after(fields: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after `values` in the ordering: (a, b) > (va, vb), per-field direction.

    The OR of the steps is no index range, so the first field's bound is ANDed on as well
    (`a >= va`): the database starts reading the index at the cursor instead of filtering
    every row before it (page 20,000 cost 0.6 s at 1M cases, now what page 2 costs)."""
    steps = []
    for index, (name, desc) in enumerate(fields):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[index]})
        for earlier, (earlier_name, _desc) in enumerate(fields[:index]):
            step &= Q(**{earlier_name: values[earlier]})
        steps.append(step)
    first, desc = fields[0]
    return Q(**{f"{first}__{'lte' if desc else 'gte'}": values[0]}) & reduce(operator.or_, steps)


def keyset_page(
    queryset: QuerySet[M], *, ordering: tuple[str, ...], cursor: str | None, limit: int
) -> Page[M]:
    """One page of `queryset` in `ordering`, after `cursor`; `limit` rows at most."""
    if limit < 1 or limit > MAX_LIMIT:
        raise DomainError(
            gettext("limit must be between 1 and %(max)s.") % {"max": MAX_LIMIT}, field="limit"
        )
    fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    if any("__" in name for name, _desc in fields):
        raise ValueError("keyset pages sort on the model's own columns only")
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(fields, _decode(cursor, fields, queryset.model)))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([_value(last, name) for name, _desc in fields])
    return Page(items=rows, next_cursor=next_cursor)


def _value(obj: Any, name: str) -> Any:
    return getattr(obj, name)


def cursor_values(cursor: str, *, ordering: tuple[str, ...], model: type[Model]) -> list[Any]:
    """The sort values a cursor of `keyset_page` holds, for a reader that pages in the same
    ordering by other means (raises DomainError for a cursor that is not one)."""
    fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    return _decode(cursor, fields, model)


def cursor_after(obj: Any, *, ordering: tuple[str, ...]) -> str:
    """The cursor `keyset_page` would give for a page ending with `obj`."""
    return _encode([_value(obj, name.lstrip("-")) for name in ordering])
