"""What the catalogue's routers share: paging and the short references to other rows."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from caseflow.core.pagination import keyset_page


def page_of(queryset: Any, ordering: tuple[str, ...], cursor: str | None, limit: int) -> Any:
    page = keyset_page(queryset, ordering=ordering, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class ProductRefOut(Schema):
    id: int
    sku: str
    name: str


class CustomerRefOut(Schema):
    id: int
    number: str
    name: str
