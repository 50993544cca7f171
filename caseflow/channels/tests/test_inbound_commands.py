"""`ingest_email` (MTA delivery, sysexits codes), `retry_mail` and the admin's retry action."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from caseflow.cases.models import Case
from caseflow.channels.models import InboundMessage, InboundStatus
from caseflow.channels.tests.inbound_fixtures import message

pytestmark = pytest.mark.django_db
ROOT = Path(django_settings.BASE_DIR)


def ingest(raw: bytes, name: str = "support") -> tuple[int, str, str]:
    """Run ingest_email with `raw` on standard input: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest_email", mailbox=name, stdin=io.BytesIO(raw), stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def test_a_delivery_exits_0_and_a_redelivery_too(inbox, known_sender):
    raw = message()
    code, out, _ = ingest(raw)
    assert code == 0 and "processed case C-" in out
    code, out, _ = ingest(raw)  # the MTA retried after a lost answer
    assert code == 0 and "duplicate" in out
    assert Case.objects.count() == 1 and InboundMessage.objects.count() == 2


def test_a_message_that_fails_processing_is_stored_and_exits_0(inbox, known_sender, settings):
    settings.MAIL_SERIAL_PATTERN = "(["  # broken configuration: quarantine, not a bounce
    code, out, _ = ingest(message())
    assert code == 0 and "quarantined" in out
    assert InboundMessage.objects.get().status == InboundStatus.QUARANTINED


def test_unknown_mailbox_exits_67_and_keeps_nothing(inbox):
    code, _, err = ingest(message(), name="nope")
    assert code == 67 and "no mailbox named 'nope'" in err
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n  \n"])
def test_empty_input_exits_65(inbox, raw):
    code, _, err = ingest(raw)
    assert code == 65 and "empty" in err


def test_a_message_over_the_size_limit_exits_65(inbox, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 1000
    code, _, err = ingest(message(body="x" * 2000))
    assert code == 65 and "MAIL_MAX_MESSAGE_BYTES" in err


def test_an_unreadable_file_exits_66(inbox, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("ingest_email", mailbox="support", file=tmp_path / "missing.eml")
    assert caught.value.returncode == 66


def test_storage_failure_exits_75_so_the_mta_retries(inbox, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    code, _, err = ingest(message())
    assert code == 75 and "temporary failure" in err
    assert not InboundMessage.objects.exists()


def _run(args: list[str], stdin: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "DEBUG": "true", **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_database_down_exits_75_with_one_line_on_stderr():
    result = _run(
        ["ingest_email", "--mailbox", "support"],
        message(),
        DATABASE_URL="postgres://caseflow@127.0.0.1:1/caseflow",
    )
    assert result.returncode == 75, result.stderr
    assert result.stderr.decode().count("\n") == 1
    assert b"temporary failure" in result.stderr


def test_empty_standard_input_exits_65_from_a_real_process(tmp_path):
    result = _run(["ingest_email", "--mailbox", "support"], b"", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 65 and b"empty message" in result.stderr


def test_retry_mail_retries_quarantined_messages_after_the_fix(inbox, known_sender, settings):
    settings.MAIL_SERIAL_PATTERN = "(["
    ingest(message())
    ingest(message(body="other"))
    with pytest.raises(CommandError, match="2 of 2 messages still not processed"):
        call_command("retry_mail", all_quarantined=True, stdout=io.StringIO())
    settings.MAIL_SERIAL_PATTERN = r"\bSN\d+\b"
    out = io.StringIO()
    call_command("retry_mail", all_quarantined=True, stdout=out)
    assert out.getvalue().count(": processed case C-") == 2
    assert not InboundMessage.objects.filter(status=InboundStatus.QUARANTINED).exists()


def test_retry_mail_refuses_unknown_ids_and_no_arguments(db):
    with pytest.raises(CommandError, match="no inbound message 99"):
        call_command("retry_mail", "99")
    with pytest.raises(CommandError, match="name message ids"):
        call_command("retry_mail")


def test_retry_mail_dry_run_changes_nothing(inbox, known_sender, settings):
    settings.MAIL_SERIAL_PATTERN = "(["
    ingest(message())
    inbound = InboundMessage.objects.get()
    out = io.StringIO()
    call_command("retry_mail", str(inbound.pk), dry_run=True, stdout=out)
    assert "would retry" in out.getvalue()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.QUARANTINED and inbound.attempts == 1


def test_the_admin_lists_the_quarantine_and_retries_from_it(
    admin_client, inbox, known_sender, settings
):
    settings.MAIL_SERIAL_PATTERN = "(["
    ingest(message())
    inbound = InboundMessage.objects.get()
    url = reverse("admin:channels_inboundmessage_changelist")
    page = admin_client.get(url, {"status__exact": "quarantined"})
    assert page.status_code == 200 and "MAIL_SERIAL_PATTERN" in page.content.decode()

    settings.MAIL_SERIAL_PATTERN = r"\bSN\d+\b"
    response = admin_client.post(
        url, {"action": "retry_messages", "_selected_action": [inbound.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Retried. Processed: 1" in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
    # who retried, and what came of it
    from caseflow.core.models import AuditEntry

    entry = AuditEntry.objects.get(chain=f"channels.inboundmessage:{inbound.pk}")
    assert (entry.action, entry.channel, entry.actor_label) == ("inbound.retried", "admin", "admin")
    assert entry.before["status"] == "quarantined"
    assert entry.after == {"status": "processed", "reason": "", "case": inbound.case_id}
