"""`manage.py ingest_drop`: take the drop folder now (the worker does it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from caseflow.channels.inbound import drop
from caseflow.channels.models import Mailbox


class Command(BaseCommand):
    help = (
        "Deliver the waiting files <MAIL_DROP_DIR>/<mailbox>/*.eml of every active mailbox "
        "(or only --mailbox NAME) to the mail pipeline; stored files move to done/. Prints "
        "per mailbox how many were stored, rejected and failed; exits 1 when a file could "
        "not be stored (it stays for the next run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", metavar="NAME", help="only this mailbox")
        parser.add_argument(
            "--limit", type=int, default=drop.LIMIT, metavar="N",
            help=f"at most N files per mailbox (default {drop.LIMIT})",
        )  # fmt: skip

    def handle(self, *args: Any, mailbox: str | None, limit: int, **options: Any) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        root = drop.drop_root()
        if root is None:
            raise CommandError("MAIL_DROP_DIR is not set: the drop folder is off")
        try:
            if mailbox is None:
                results = drop.take_all(limit=limit)
            else:
                box = Mailbox.objects.filter(name=mailbox).first()
                if box is None:
                    raise CommandError(f"no mailbox named {mailbox!r}")
                if not box.active:
                    raise CommandError(f"mailbox {mailbox!r} is not active")
                folder = drop.folder_of(box, root)
                if folder is None or not folder.is_dir():
                    raise CommandError(f"no folder {mailbox!r} in MAIL_DROP_DIR")
                results = [drop.take(box, folder, limit=limit)]
        except DatabaseError as exc:
            raise CommandError(f"database error: {exc}".splitlines()[0]) from None
        if not results:
            self.stdout.write("no drop folder (none of the active mailboxes has a folder)")
        for result in results:
            self.stdout.write(f"{result.mailbox}: {result.summary()}")
            for problem in result.problems:
                self.stderr.write(f"{result.mailbox}: {problem}")
        failed = sum(1 for result in results if not result.ok)
        if failed:
            raise CommandError(f"{failed} mailbox(es) had files that could not be stored")
