"""manage.py import_csv KIND FILE [--dry-run]: all rows or none (see docs/imports.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from caseflow.catalog.imports import KINDS, ImportInvalid, run_import
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

HELP = """Import a CSV file (UTF-8, separated by ; or ,; header names as below; dates
YYYY-MM-DD or DD.MM.YYYY; decimals 1234.50 or 1234,50). Every row is checked first:
one bad row imports nothing and exits 1 listing every problem as "line N: column: reason".

  products       sku, name, kind [device|spare_part|consumable|labour]; optional:
                 product_type (code), is_serialised (yes/no), warranty_months, price,
                 cost, tax_rate, currency
  units          sku, serial; optional: manufactured_on, notes
  registrations  sku, serial, customer_number, purchased_on; optional: registered_on
                 (default today), dealer_number, channel (default import); unknown units
                 are created
  orders         order_number, customer_number, ordered_on, sku, quantity; optional:
                 unit_price, serials (separated by spaces or |), dealer_number. One row
                 per order line; rows with the same order_number form one order.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        kwargs.setdefault("formatter_class", RawDescriptionHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count everything, write nothing"
        )

    def handle(self, *args: Any, kind: str, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            size = file.stat().st_size
            if size > settings.IMPORT_MAX_BYTES:
                raise CommandError(
                    _(
                        "%(file)s: %(size)s bytes is more than IMPORT_MAX_BYTES (%(limit)s); "
                        "split the file"
                    )
                    % {"file": file, "size": size, "limit": settings.IMPORT_MAX_BYTES}
                )
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            result = run_import(
                kind=kind, data=data, actor=None, channel=Channel.IMPORT, dry_run=dry_run
            )
        except ImportInvalid as exc:
            raise CommandError("\n".join([f"{file}: {exc.message}", *exc.lines()])) from exc
        except DomainError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        if dry_run:
            self.stdout.write(
                _("dry run: %(n)s %(kind)s would be imported (%(rows)s rows); nothing was written")
                % {"n": result.imported, "kind": kind, "rows": result.rows}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("imported %(n)s %(kind)s (%(rows)s rows)")
                    % {"n": result.imported, "kind": kind, "rows": result.rows}
                )
            )
