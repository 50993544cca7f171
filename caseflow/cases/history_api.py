"""`GET /api/catalog/units/{id}/history`: a unit's service history, its cases newest first.

The address is the catalog's (a unit's page of the API), the rows are cases: `cases` serves
it, because the catalog may not read cases (docs/architecture.md, "Apps and their
dependencies"). `caseflow/api.py` mounts this router beside the catalog's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from caseflow.accounts.roles import require
from caseflow.cases.selectors import service_history
from caseflow.catalog.selectors import units_visible_to
from caseflow.core.pagination import keyset_page
from caseflow.core.schemas import ERRORS, Id

router = Router(tags=["catalog"])
NEWEST = ("-received_at", "-id")


class HistoryQuery(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class HistoryOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    received_at: datetime


class HistoryPageOut(Schema):
    items: list[HistoryOut]
    next_cursor: str | None


@router.get("/units/{unit_id}/history", response={200: HistoryPageOut, **ERRORS})
def unit_history(request: HttpRequest, unit_id: Id, page: Query[HistoryQuery]) -> Any:
    """The unit's service history: its cases, newest first."""
    unit = units_visible_to(request.user).get(pk=unit_id)
    require(request.user, "case.view")
    cases = service_history(unit)
    found = keyset_page(cases, ordering=NEWEST, cursor=page.cursor, limit=page.limit)
    return {"items": found.items, "next_cursor": found.next_cursor}
