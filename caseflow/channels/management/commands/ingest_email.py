"""`manage.py ingest_email --mailbox NAME < message.eml`: MTA delivery (Postfix `pipe`).

Exit codes follow sysexits.h, so the MTA retries what may succeed later and bounces only
what never will (docs/email-intake.md):

- 0: stored (then processed, recognised as a duplicate, ignored or quarantined: the message
  is safe in either case);
- 65 EX_DATAERR: empty input, or larger than MAIL_MAX_MESSAGE_BYTES (bounced);
- 66 EX_NOINPUT: the --file cannot be read;
- 67 EX_NOUSER: no mailbox of that name (bounced);
- 74 EX_IOERR: standard input could not be read;
- 75 EX_TEMPFAIL: database or storage unavailable: nothing was kept, the MTA tries again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseflow.channels.inbound.store import is_blank

EX_DATAERR = 65
EX_NOINPUT = 66
EX_NOUSER = 67
EX_IOERR = 74
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and process one e-mail read from standard input (MTA delivery)."
    stealth_options = ("stdin",)  # a binary stream instead of sys.stdin (call_command, tests)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", required=True, help="the mailbox's name (admin)")
        parser.add_argument("--file", type=Path, help="read this file instead of standard input")

    def handle(self, *args: Any, mailbox: str, file: Path | None, **options: Any) -> None:
        raw = self._read(file, options.get("stdin"))
        limit = settings.MAIL_MAX_MESSAGE_BYTES
        if is_blank(raw):
            raise CommandError("empty message: nothing to deliver", returncode=EX_DATAERR)
        if len(raw) > limit:
            raise CommandError(
                f"message of {len(raw)} bytes is over MAIL_MAX_MESSAGE_BYTES ({limit})",
                returncode=EX_DATAERR,
            )
        from caseflow.channels.inbound.services import receive
        from caseflow.channels.models import InboundSource, Mailbox

        try:
            box = Mailbox.objects.select_related("owner", "team").filter(name=mailbox).first()
            if box is None:
                raise CommandError(f"no mailbox named {mailbox!r}", returncode=EX_NOUSER)
            inbound = receive(box, raw, source=InboundSource.MTA)
        except CommandError:
            raise
        except Exception as exc:  # database or storage down: the MTA keeps it and retries
            detail = " ".join(str(exc).split())  # one line on stderr, whatever the driver said
            raise CommandError(
                f"temporary failure, try again later: {type(exc).__name__}: {detail}"[:500],
                returncode=EX_TEMPFAIL,
            ) from exc
        case = f" case {inbound.case.number}" if inbound.case is not None else ""
        reason = f" ({inbound.reason})" if inbound.reason else ""
        self.stdout.write(f"stored as message {inbound.pk}: {inbound.status}{case}{reason}")

    def _read(self, file: Path | None, stdin: BinaryIO | None) -> bytes:
        limit = settings.MAIL_MAX_MESSAGE_BYTES
        if file is not None:
            try:
                with file.open("rb") as handle:
                    return self._read_from(handle, limit)
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc}", returncode=EX_NOINPUT) from exc
        try:
            return self._read_from(stdin or sys.stdin.buffer, limit)
        except OSError as exc:
            raise CommandError(f"cannot read standard input: {exc}", returncode=EX_IOERR) from exc

    @staticmethod
    def _read_from(handle: BinaryIO, limit: int) -> bytes:
        # One byte past the limit tells "too large" without reading a huge message whole.
        # (read(n) reserves n bytes but touches only what arrives: memory is the message's size)
        return handle.read(limit + 1)
