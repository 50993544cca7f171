"""CSV imports of products, units, registrations and sales orders (see docs/imports.md).

All or nothing: every row is parsed and checked, then the rows are written through the
services in one transaction. Any problem, in any row, rolls the whole file back and is
reported as "line N: column: reason" (N counts physical lines; the header is line 1).

`reading` turns the file into rows, `values` parses their values, `products`, `units` and
`orders` plan the service calls of one kind each, and `run` runs them.
"""

from caseflow.catalog.imports.reading import KINDS, Columns, ImportInvalid, RowError
from caseflow.catalog.imports.run import ImportResult, run_import
from caseflow.catalog.imports.values import parse_bool, parse_date, parse_decimal, parse_int

__all__ = [
    "KINDS",
    "Columns",
    "ImportInvalid",
    "ImportResult",
    "RowError",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "run_import",
]
