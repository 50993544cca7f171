"""`manage.py rebuild_name_index`: build the customers' name index again (after a bulk load)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseflow.core.errors import DomainError
from caseflow.customers.services import rebuild_name_index


class Command(BaseCommand):
    help = (
        "Rebuild the index of customers' and contacts' name words that the name lookups read "
        "(after loading customers without the services). One transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT (5000)")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        started = time.perf_counter()
        try:
            count = rebuild_name_index(batch=batch)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{count} name words indexed in {seconds:.1f} s"))
