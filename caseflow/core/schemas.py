"""Schemas shared by every API router."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from ninja import Schema
from pydantic import BaseModel, Field

T = TypeVar("T")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


# A database id: bounded so no request can overflow a 64-bit integer column.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# The error answers every endpoint may give (429: the address sent too many unknown API
# tokens, see docs/security.md); writes may also conflict (409).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
