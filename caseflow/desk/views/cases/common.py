"""Helpers the case screens share: the cached configuration rows, the rows' priority,
owner and team from them, query strings, and service errors on forms."""

from __future__ import annotations

from typing import Any

from caseflow.accounts.models import Team, User
from caseflow.cases import config
from caseflow.cases.models import (
    Case,
    Code,
    CodeKind,
    Priority,
)
from caseflow.desk.forms.cases import (
    Choices,
)


def codes_by_kind() -> tuple[list[Code], list[Code]]:
    """The active reason and resolution codes (cached per process)."""
    codes = config.codes()
    return (
        [c for c in codes if c.kind == CodeKind.REASON],
        [c for c in codes if c.kind == CodeKind.RESOLUTION],
    )


# The list joins only the tables of the rows' own columns; the priority, owner and team of each
# row come from the filter pickers' rows, which the page loads anyway (`attach_choices`).
# Fewer joins plan faster on PostgreSQL (docs/performance.md).
ROW_RELATED = ("customer", "product", "unit")


def attach_choices(cases: list[Case], choices: Choices) -> None:
    """Set each case's priority, owner and team from `choices`; the few not among them (an
    inactive owner, an archived team) come in one query each."""
    for attr, model, rows in (
        ("priority", Priority, choices.priorities),
        ("owner", User, choices.owners),
        ("team", Team, choices.teams),
    ):
        known = {row.pk: row for row in rows}
        missing = {getattr(c, f"{attr}_id") for c in cases} - known.keys() - {None}
        if missing:
            known |= model.objects.in_bulk(missing)
        for case in cases:
            pk = getattr(case, f"{attr}_id")
            setattr(case, attr, known.get(pk) if pk is not None else None)


def with_params(query: Any, **params: Any) -> str:
    query = query.copy()
    for name, value in params.items():
        query[name] = value
    return query.urlencode()


# Service fields that a form calls differently.
FIELD_ALIASES = {"call_duration": "duration", "call_outcome": "outcome"}
