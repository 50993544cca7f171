"""`manage.py reindex_search`: rebuild the full-text index of cases (after a bulk load)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseflow.cases.search import reindex_cases


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of all cases. PostgreSQL: one pass in one "
        "transaction (writers wait); with --batch N, N cases per transaction, online."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=None, help="cases per transaction (default: all at once "
            "on PostgreSQL, 2000 on SQLite)"
        )  # fmt: skip

    def handle(self, *args: Any, batch: int | None, **options: Any) -> None:
        if batch is not None and batch < 1:
            raise CommandError("--batch must be at least 1")
        started = time.perf_counter()

        def progress(count: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{count} cases indexed")

        count = reindex_cases(batch=batch, progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{count} cases indexed in {seconds:.1f} s"))
