"""The drop folder: real files under tmp_path become cases; what cannot be stored stays."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from caseflow.cases.models import Case
from caseflow.channels.inbound import drop
from caseflow.channels.models import InboundMessage, InboundSource, InboundStatus, Mailbox
from caseflow.channels.tests.inbound_fixtures import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(inbox: Mailbox, settings, tmp_path: Path) -> Path:
    settings.MAIL_DROP_DIR = str(tmp_path / "drop")
    path = tmp_path / "drop" / inbox.name
    path.mkdir(parents=True)
    return path


def put(folder: Path, name: str, raw: bytes, *, age: float = 60.0) -> Path:
    """Write `raw` the documented way (temporary name, then rename), `age` seconds old."""
    temporary = folder / f"{name}.tmp"
    temporary.write_bytes(raw)
    then = time.time() - age
    os.utime(temporary, (then, then))
    os.rename(temporary, folder / name)
    return folder / name


def break_storage(settings, tmp_path: Path) -> None:
    """A real storage failure: the media folder lies under a plain file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    backend = "django.core.files.storage.FileSystemStorage"
    options = {"location": str(blocker / "media")}
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": backend, "OPTIONS": options}}


def names(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()} if path.is_dir() else set()


def run_command(**options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest_drop", stdout=out, stderr=err, **options)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc) + err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_dropped_file_becomes_a_case_and_moves_to_done(folder, known_sender):
    put(folder, "one.eml", message(subject="Grinder jams"))

    [result] = drop.take_all()

    assert (result.stored, result.rejected, result.failed) == (1, 0, 0)
    inbound = InboundMessage.objects.get()
    assert inbound.source == InboundSource.DROP
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.case.customer == known_sender
    assert inbound.case.subject == "Grinder jams"
    assert names(folder) == {"done", ".claimed"}
    assert names(folder / "done") == {"one.eml"}
    assert names(folder / ".claimed") == set()
    # the next run finds nothing to do
    assert drop.take_all()[0].stored == 0
    assert InboundMessage.objects.count() == 1


def test_only_old_enough_regular_eml_files_directly_in_the_folder_are_taken(folder, tmp_path):
    put(folder, "fresh.eml", message(subject="Fresh"), age=0)  # may still be written
    put(folder, "note.txt", message(subject="Not mail"))
    put(folder, "half.eml.tmp", message(subject="Half"))  # the temporary name
    put(folder, ".hidden.eml", message(subject="Hidden"))
    (folder / "sub.eml").mkdir()  # a folder named like a message
    outside = tmp_path / "secret.eml"
    outside.write_bytes(message(subject="Outside"))
    (folder / "link.eml").symlink_to(outside)  # symbolic links are never followed
    (folder / "weird\nname ;rm -rf.eml").write_bytes(b"")  # too fresh; and names are inert
    put(folder, "ok.eml", message(subject="Taken"))

    [result] = drop.take_all()

    assert result.stored == 1
    assert list(Case.objects.values_list("subject", flat=True)) == ["Taken"]
    assert {"fresh.eml", "note.txt", "half.eml.tmp", ".hidden.eml", "sub.eml", "link.eml"} <= (
        names(folder)
    )
    assert outside.exists()
    assert drop.take_all(min_age=0)[0].stored == 1  # the fresh one, once it is old enough


def test_a_file_is_moved_only_after_it_is_stored_and_stays_when_storing_fails(
    folder, settings, tmp_path
):
    original = settings.STORAGES
    break_storage(settings, tmp_path)  # the storage is down
    put(folder, "wait.eml", message(subject="Storage down"))

    [result] = drop.take_all()

    assert (result.stored, result.failed) == (0, 1) and not result.ok
    assert "wait.eml" in result.problems[0]
    assert names(folder) == {"wait.eml", ".claimed"}  # back under its own name
    assert not InboundMessage.objects.exists()

    settings.STORAGES = original  # fixed: the next run (a minute later) takes it
    assert drop.take_all(min_age=0)[0].stored == 1
    assert Case.objects.get().subject == "Storage down"
    assert names(folder / "done") == {"wait.eml"}


@pytest.mark.parametrize(
    ("raw", "why"), [(b"", "empty"), (b" \r\n\r\n", "empty"), (b"x" * 2048, "larger than")]
)
def test_a_file_that_can_never_be_stored_goes_to_rejected_with_its_reason(
    folder, settings, raw, why
):
    settings.MAIL_MAX_MESSAGE_BYTES = 1024
    put(folder, "bad.eml", raw)

    [result] = drop.take_all()

    assert (result.stored, result.rejected) == (0, 1)
    assert names(folder / "rejected") == {"bad.eml", "bad.eml.reason"}
    assert why in (folder / "rejected" / "bad.eml.reason").read_text()
    assert (folder / "rejected" / "bad.eml").read_bytes() == raw  # kept, never deleted
    assert not InboundMessage.objects.exists()


def test_the_same_bytes_dropped_twice_make_one_case_and_nothing_is_overwritten(folder):
    raw = message(subject="Twice")
    put(folder, "mail.eml", raw)
    drop.take_all()
    put(folder, "mail.eml", raw)  # the same name and bytes again
    drop.take_all()

    assert Case.objects.count() == 1
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [InboundStatus.DUPLICATE, InboundStatus.PROCESSED]
    done = names(folder / "done")
    assert len(done) == 2 and "mail.eml" in done  # the second under a free variant name


def test_a_claimed_file_is_left_to_its_worker_until_the_claim_is_stale(folder):
    put(folder, "a.eml", message(subject="Claimed"))
    claimed = drop._claim(folder, "a.eml")
    assert claimed is not None
    assert drop._claim(folder, "a.eml") is None  # a second worker loses the race

    assert drop.take_all()[0].stored == 0  # another worker holds it
    assert claimed.exists()

    # That worker died: after STALE_CLAIM the file is taken again.
    then = time.time() - drop.STALE_CLAIM - 5
    os.utime(claimed, (then, then))
    assert drop.take_all()[0].stored == 1
    assert Case.objects.get().subject == "Claimed"
    assert names(folder / ".claimed") == set()
    assert names(folder / "done") == {"a.eml"}


def test_runs_are_bounded_and_inactive_or_folderless_mailboxes_are_skipped(folder, inbox):
    for index in range(3):
        put(folder, f"m{index}.eml", message(subject=f"Bounded {index}"), age=60 - index)
    Mailbox.objects.create(name="sales", address="sales@desk.test", owner=inbox.owner)

    results = drop.take_all(limit=2)
    assert [(r.mailbox, r.stored) for r in results] == [("support", 2)]  # sales has no folder
    assert names(folder / "done") == {"m0.eml", "m1.eml"}  # oldest first

    Mailbox.objects.filter(pk=inbox.pk).update(active=False)
    assert drop.take_all() == []
    assert "m2.eml" in names(folder)


def test_the_periodic_task_takes_the_folder_and_does_nothing_when_off(folder, settings):
    put(folder, "task.eml", message(subject="By the worker"))
    settings.MAIL_DROP_DIR = ""
    drop.take_drop_folders()
    assert not InboundMessage.objects.exists()

    settings.MAIL_DROP_DIR = str(folder.parent)
    drop.take_drop_folders()
    assert Case.objects.get().subject == "By the worker"


def test_the_command_reports_per_mailbox_and_exits_1_when_a_file_waits(folder, settings, tmp_path):
    put(folder, "c.eml", message(subject="By command"))
    code, out, _ = run_command()
    assert code == 0 and "support: 1 stored, 0 rejected, 0 failed" in out

    break_storage(settings, tmp_path)
    put(folder, "d.eml", message(subject="Later"))
    code, out, err = run_command(mailbox="support")
    assert code == 1 and "1 failed" in out and "d.eml" in err
    assert "d.eml" in names(folder)


def test_the_command_refuses_bad_arguments_clearly(folder, settings):
    assert "no mailbox named 'nope'" in run_command(mailbox="nope")[2]
    assert "--limit must be at least 1" in run_command(limit=0)[2]
    settings.MAIL_DROP_DIR = ""
    code, _, err = run_command()
    assert code == 1 and "MAIL_DROP_DIR is not set" in err
