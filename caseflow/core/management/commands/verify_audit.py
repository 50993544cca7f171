from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caseflow.core.audit import BrokenLink, walk
from caseflow.core.drift import DriftCheck
from caseflow.core.models import AuditEntry

SHOWN = 50  # problems written out; the rest are counted


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chains, and that the rows still match what the trail "
        "recorded (drift); exit 1 naming every broken link and every drifted row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help="first day, YYYY-MM-DD (checks the links only: drift needs whole chains)",
        )
        parser.add_argument("--chain", help="check one chain only, e.g. cases.case:42")
        parser.add_argument(
            "--no-drift", action="store_true", help="check the hash chains only, not the rows"
        )

    def handle(
        self, *args: Any, since: date | None, chain: str | None, no_drift: bool, **options: Any
    ) -> None:
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        drift = None if no_drift or since else DriftCheck()
        first: dict[str, Any] = {}
        counts = {"broken": 0, "drift": 0}
        for problem in walk(since=start, chain=chain, observer=drift):
            kind = "broken" if isinstance(problem, BrokenLink) else "drift"
            first.setdefault(kind, problem)
            counts[kind] += 1
            if sum(counts.values()) <= SHOWN:
                self.stderr.write(f"{kind}: {problem}")
        broken, drifted = counts["broken"], counts["drift"]
        if broken:
            raise CommandError(
                f"audit chain broken at {first['broken']} "
                f"({broken} broken links, {drifted} drifted rows or parts)"
            )
        if drifted:
            raise CommandError(
                f"audit chain intact, but rows drifted from it: {first['drift']} "
                f"({drifted} problems)"
            )
        message = f"audit chain intact ({AuditEntry.objects.count()} entries)"
        if drift is not None:
            message += f"; no drift ({drift.rows} rows, {drift.parts} recorded parts compared)"
        self.stdout.write(self.style.SUCCESS(message))
