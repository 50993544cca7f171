from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caseflow.core.audit import broken_links
from caseflow.core.models import AuditEntry


class Command(BaseCommand):
    help = "Check the audit trail's hash chains; exit 1 naming every broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--chain", help="check one chain only, e.g. cases.case:42")

    def handle(self, *args: Any, since: date | None, chain: str | None, **options: Any) -> None:
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        problems = list(broken_links(since=start, chain=chain))
        for problem in problems[:50]:
            self.stderr.write(f"broken: {problem}")
        if problems:
            raise CommandError(f"audit chain broken at {problems[0]} ({len(problems)} problems)")
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"audit chain intact ({count} entries)"))
