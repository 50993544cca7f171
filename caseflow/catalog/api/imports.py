"""CSV imports: `/imports/{kind}` (see docs/imports.md)."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from caseflow.accounts.roles import require
from caseflow.catalog.imports import ImportInvalid, run_import
from caseflow.core.models import Channel
from caseflow.core.schemas import ERRORS, ErrorOut

router = Router()


ImportKind = Literal["products", "units", "registrations", "orders"]


class ImportedOut(Schema):
    kind: str
    imported: int
    dry_run: bool


class ImportErrorItem(Schema):
    line: int | None = None
    field: str | None = None
    message: str


class ImportErrorOut(ErrorOut):
    errors: list[ImportErrorItem] = Field(default_factory=list)


@router.post(
    "/imports/{kind}",
    response={**ERRORS, 200: ImportedOut, 422: ImportErrorOut},
)
def import_csv(
    request: HttpRequest,
    kind: ImportKind,
    file: File[UploadedFile],
    dry_run: bool = False,
) -> Any:
    """Import a CSV file (see docs/imports.md): every row is checked first; one bad row
    imports nothing and answers 422 with every problem by line."""
    require(request.user, "import.run")
    if file.size is not None and file.size > settings.IMPORT_MAX_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(limit)s bytes.") % {"limit": settings.IMPORT_MAX_BYTES},
            errors=[],
            code="import_too_large",
        )
    data = file.read(settings.IMPORT_MAX_BYTES + 1)
    result = run_import(
        kind=kind, data=data, actor=request.user, channel=Channel.IMPORT, dry_run=dry_run
    )
    return {"kind": kind, "imported": result.imported, "dry_run": dry_run}
