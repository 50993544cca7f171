"""Reading an import file: its bytes to text, its rows to named values, and the
problems found, line by line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from caseflow.core.errors import DomainError

MAX_REPORTED = 1000


@dataclass(frozen=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Columns] = {
    "products": Columns(
        required=("sku", "name", "kind"),
        optional=(
            "product_type",
            "is_serialised",
            "warranty_months",
            "price",
            "cost",
            "tax_rate",
            "currency",
        ),
    ),
    "units": Columns(required=("sku", "serial"), optional=("manufactured_on", "notes")),
    "registrations": Columns(
        required=("sku", "serial", "customer_number", "purchased_on"),
        optional=("registered_on", "dealer_number", "channel"),
    ),
    "orders": Columns(
        required=("order_number", "customer_number", "ordered_on", "sku", "quantity"),
        optional=("unit_price", "serials", "dealer_number"),
    ),
}


@dataclass(frozen=True)
class RowError:
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line else _("file")
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


class ImportInvalid(DomainError):
    """The file cannot be imported; `errors` says where and why. Nothing was written."""

    code = "import_invalid"

    def __init__(self, message: Any, *, errors: list[RowError], code: str | None = None) -> None:
        shown = errors[:MAX_REPORTED]
        super().__init__(message, code=code, errors=[e.as_dict() for e in shown])
        self.errors = errors

    def lines(self) -> list[str]:
        out = [str(error) for error in self.errors[:MAX_REPORTED]]
        if len(self.errors) > MAX_REPORTED:
            out.append(_("… and %(n)s more") % {"n": len(self.errors) - MAX_REPORTED})
        return out


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def decode(data: bytes) -> str:
    """The file's text, or ImportInvalid when it is too large, empty or not UTF-8."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(limit)s bytes; split it.")
            % {"limit": settings.IMPORT_MAX_BYTES},
            errors=[],
            code="import_too_large",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = _(
            "The file is not UTF-8 (byte %(offset)s); save it as CSV UTF-8 and try again."
        ) % {"offset": exc.start}
        raise ImportInvalid(message, errors=[RowError(line, None, message)]) from exc
    if not text.strip():
        message = _("The file is empty.")
        raise ImportInvalid(message, errors=[RowError(None, None, message)])
    return text


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(text: str, columns: Columns) -> tuple[list[Row], list[RowError]]:
    """The data rows (header names trimmed and lower-cased) and the problems found so far."""
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    errors: list[RowError] = []
    rows: list[Row] = []
    header: list[str] | None = None
    try:
        for values in reader:
            if header is None:
                if not any(v.strip() for v in values):
                    continue
                header = [v.strip().lower() for v in values]
                errors.extend(_check_header(header, columns, reader.line_num))
                if errors:
                    return [], errors
                continue
            if not any(v.strip() for v in values):
                continue  # blank lines are fine
            if len(values) > len(header):
                errors.append(
                    RowError(
                        reader.line_num,
                        None,
                        _("%(n)s values, but the header has %(m)s columns.")
                        % {"n": len(values), "m": len(header)},
                    )
                )
                continue
            values = values + [""] * (len(header) - len(values))
            rows.append(Row(reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, None, _("Unreadable CSV: %(e)s") % {"e": exc}))
    if header is not None and not rows and not errors:
        errors.append(RowError(None, None, _("The file has a header but no rows.")))
    return rows, errors


def _check_header(header: list[str], columns: Columns, line: int) -> list[RowError]:
    errors = []
    for name in columns.required:
        if name not in header:
            errors.append(RowError(line, name, _("required column is missing")))
    for name in header:
        if name not in columns.all:
            errors.append(
                RowError(
                    line,
                    name or "?",
                    _("unknown column; the columns are: %(cols)s")
                    % {"cols": ", ".join(columns.all)},
                )
            )
    duplicates = {name for name in header if header.count(name) > 1}
    errors.extend(RowError(line, name, _("column appears twice")) for name in sorted(duplicates))
    return errors
