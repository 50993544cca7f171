"""`manage.py retry_mail [--all-quarantined] [--stuck MINUTES] [ID …]`: process quarantined
(or never processed) inbound messages again, after the cause was fixed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "Process quarantined inbound messages again; prints what became of each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="inbound message ids")
        parser.add_argument(
            "--all-quarantined", action="store_true", help="every quarantined message"
        )
        parser.add_argument(
            "--stuck",
            type=int,
            metavar="MINUTES",
            help="also messages stored over MINUTES ago and never processed (a crashed worker)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list them, change nothing")

    def handle(
        self,
        *args: Any,
        ids: list[int],
        all_quarantined: bool,
        stuck: int | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        from caseflow.channels.inbound.services import RETRYABLE, retry
        from caseflow.channels.models import InboundMessage, InboundStatus

        if not ids and not all_quarantined and stuck is None:
            raise CommandError("name message ids, or use --all-quarantined or --stuck MINUTES")
        chosen = set(ids)
        if all_quarantined:
            chosen |= set(
                InboundMessage.objects.filter(status=InboundStatus.QUARANTINED).values_list(
                    "pk", flat=True
                )
            )
        if stuck is not None:
            before = timezone.now() - timedelta(minutes=stuck)
            chosen |= set(
                InboundMessage.objects.filter(
                    status=InboundStatus.RECEIVED, received_at__lt=before
                ).values_list("pk", flat=True)
            )
        found = {m.pk: m for m in InboundMessage.objects.filter(pk__in=chosen)}
        missing = sorted(chosen - set(found))
        if missing:
            raise CommandError(f"no inbound message {', '.join(map(str, missing))}")
        failed = 0
        for pk in sorted(found):
            inbound = found[pk]
            if inbound.status not in RETRYABLE:
                self.stderr.write(f"{pk}: {inbound.status}, not retried")
                failed += 1
                continue
            if dry_run:
                self.stdout.write(f"{pk}: would retry ({inbound.status}: {inbound.reason})")
                continue
            inbound = retry(inbound)
            case = f" case {inbound.case.number}" if inbound.case is not None else ""
            reason = f" ({inbound.reason})" if inbound.reason else ""
            self.stdout.write(f"{pk}: {inbound.status}{case}{reason}")
            failed += inbound.status == InboundStatus.QUARANTINED
        if failed:
            raise CommandError(f"{failed} of {len(found)} messages still not processed")
        self.stdout.write(self.style.SUCCESS(f"{len(found)} messages done"))
