"""The audit trail detects edits and deletions made behind Caseflow's back."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection, transaction

from caseflow.cases import services
from caseflow.cases.models import Case
from caseflow.core.audit import first_broken_link
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_case(open_case, agent):
    case = open_case()
    for text in ("first", "second", "third"):
        services.record_event(
            actor=agent, channel=Channel.UI, case=case, event_type="note", text=text
        )
    open_case(subject="An unrelated case")
    return case


def _entries(case):
    return list(AuditEntry.objects.filter(chain=f"cases.case:{case.pk}").order_by("seq"))


def test_an_intact_trail_verifies(busy_case, capsys):
    call_command("verify_audit")
    assert "audit chain intact" in capsys.readouterr().out


def test_an_edited_entry_is_named(busy_case):
    victim = _entries(busy_case)[1]
    # edit behind the application's back, as someone with database access could
    AuditEntry.objects.filter(pk=victim.pk).update(after={"event_type": "note", "forged": True})
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert f"entry {victim.pk}" in str(exc.value)
    assert "changed" in str(exc.value)


def test_a_deleted_middle_entry_is_found(busy_case):
    entries = _entries(busy_case)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    broken = first_broken_link()
    assert broken is not None
    assert broken.entry_id == entries[2].pk
    assert "missing" in broken.reason
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_deleted_newest_entry_is_found(busy_case):
    entries = _entries(busy_case)
    AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    broken = first_broken_link()
    assert broken is not None
    assert broken.chain == f"cases.case:{busy_case.pk}"
    assert "deleted" in broken.reason


def test_a_whole_deleted_chain_is_found(busy_case):
    AuditEntry.objects.filter(chain=f"cases.case:{busy_case.pk}").delete()
    assert "all entries" in first_broken_link().reason


def test_a_relinked_forgery_is_still_found(busy_case):
    """Rewriting an entry *and* its stored hash breaks the link of the entry after it."""
    entries = _entries(busy_case)
    AuditEntry.objects.filter(pk=entries[1].pk).update(hash="f" * 64)
    broken = first_broken_link()
    assert broken.entry_id in (entries[1].pk, entries[2].pk)


def test_a_rewritten_newest_entry_with_a_recomputed_hash_is_found(busy_case):
    """Whoever edits the newest entry and recomputes its hash still misses the head."""
    from caseflow.core.audit import _entry_digest

    newest = _entries(busy_case)[-1]
    newest.after = {"forged": True}
    newest.hash = _entry_digest(newest)
    AuditEntry.objects.filter(pk=newest.pk).update(after=newest.after, hash=newest.hash)
    broken = first_broken_link()
    assert broken is not None
    assert broken.entry_id == newest.pk
    assert "rewritten" in broken.reason


def test_verify_since_a_day(busy_case, capsys):
    call_command("verify_audit", "--since", "2000-01-01")
    assert "intact" in capsys.readouterr().out


def test_verify_rejects_a_malformed_date():
    with pytest.raises(CommandError):
        call_command("verify_audit", "--since", "yesterday")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_threads_open_400_cases_with_consecutive_numbers(agent, customer):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                with transaction.atomic():
                    services.open_case(
                        actor=agent, channel=Channel.PHONE, customer=customer, subject="Race"
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 400 == len(set(numbers))
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 401))
    assert first_broken_link() is None
    call_command("verify_audit")
