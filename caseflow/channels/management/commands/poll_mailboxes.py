"""`manage.py poll_mailboxes`: poll the IMAP mailboxes once, now (the worker does it too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from caseflow.channels.inbound import imap
from caseflow.channels.models import Mailbox


class Command(BaseCommand):
    help = (
        "Poll every active mailbox that has an IMAP host once (or only --mailbox NAME): "
        "deliver waiting mail to the pipeline, print per mailbox how many messages were "
        "fetched, delivered and failed. Exit 1 when a mailbox could not be polled or a "
        "message not delivered (they stay on the server for the next poll)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", metavar="NAME", help="poll only this mailbox")
        parser.add_argument(
            "--limit", type=int, metavar="N",
            help="at most N messages per mailbox (default: IMAP_POLL_LIMIT)",
        )  # fmt: skip

    def handle(self, *args: Any, mailbox: str | None, limit: int | None, **options: Any) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        try:
            mailboxes = self._mailboxes(mailbox)
            results = [imap.poll_mailbox(box, limit=limit) for box in mailboxes]
        except DatabaseError as exc:
            raise CommandError(f"database error: {exc}".splitlines()[0]) from None
        failed = 0
        for result in results:
            line = f"{result.mailbox}: {result.summary()}"
            if result.ok:
                self.stdout.write(line)
                continue
            failed += 1
            self.stdout.write(line)
            for problem in result.problem().splitlines():
                self.stderr.write(f"{result.mailbox}: {problem}")
        if not results:
            self.stdout.write("no mailbox to poll (none active with an IMAP host)")
        if failed:
            raise CommandError(f"{failed} of {len(results)} mailbox(es) had errors")

    def _mailboxes(self, name: str | None) -> list[Mailbox]:
        if name is None:
            return list(imap.pollable_mailboxes())
        box = Mailbox.objects.filter(name=name).first()
        if box is None:
            raise CommandError(f"no mailbox named {name!r}")
        if not box.imap_host:
            raise CommandError(f"mailbox {name!r} has no IMAP host (it gets mail by MTA delivery)")
        if not box.active:
            raise CommandError(f"mailbox {name!r} is not active")
        return [box]
