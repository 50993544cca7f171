"""`manage.py poll_mailboxes`: a line per mailbox, errors on stderr, exit 1 when one failed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseflow.channels.inbound import imap
from caseflow.channels.models import InboundMessage, Mailbox
from caseflow.channels.tests.dovecot import free_port
from caseflow.channels.tests.imap_helpers import imap_mailbox, make_message, store_inbound

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _store_only(monkeypatch) -> None:
    monkeypatch.setattr(imap, "deliver_to_pipeline", store_inbound)


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("poll_mailboxes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_what_each_mailbox_did(dovecot, agent):
    support, repairs = dovecot.add_user(), dovecot.add_user()
    imap_mailbox(dovecot, support, agent, name="support")
    imap_mailbox(dovecot, repairs, agent, name="repairs")
    dovecot.append(support, [make_message(1), make_message(2)])

    out, err = _run()

    assert out.splitlines() == [
        "repairs: 0 waiting, 0 fetched, 0 delivered, 0 failed",
        "support: 2 waiting, 2 fetched, 2 delivered (2 received), 0 failed",
    ]
    assert err == ""


def test_one_mailbox_and_a_limit(dovecot, imap_user, agent):
    imap_mailbox(dovecot, imap_user, agent, name="support")
    imap_mailbox(dovecot, dovecot.add_user(), agent, name="repairs")
    dovecot.append(imap_user, [make_message(n) for n in range(3)])

    out, _err = _run("--mailbox", "support", "--limit", "2")

    assert out == "support: 3 waiting, 2 fetched, 2 delivered (2 received), 0 failed\n"
    assert InboundMessage.objects.count() == 2


def test_a_failing_mailbox_exits_1_and_says_why_on_stderr(dovecot, imap_user, agent):
    imap_mailbox(dovecot, imap_user, agent, name="support")
    imap_mailbox(dovecot, imap_user, agent, name="broken", imap_password="wrong")
    dovecot.append(imap_user, make_message(1))
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 of 2 mailbox") as failed:
        call_command("poll_mailboxes", stdout=out, stderr=err)

    assert failed.value.returncode == 1  # what manage.py exits with

    assert "support: 1 waiting, 1 fetched, 1 delivered" in out.getvalue()
    assert err.getvalue().startswith(f"broken: login as {imap_user.name} on 127.0.0.1:")
    assert InboundMessage.objects.count() == 1  # the good mailbox was still polled


def test_an_unreachable_server_exits_1(dovecot, imap_user, agent):
    imap_mailbox(dovecot, imap_user, agent, imap_port=free_port())

    with pytest.raises(CommandError):
        _run()

    assert "refused the connection" in Mailbox.objects.get().last_error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--mailbox", "nope"), "no mailbox named 'nope'"),
        (("--mailbox", "web"), "has no IMAP host"),
        (("--mailbox", "old"), "is not active"),
        (("--limit", "0"), "--limit must be at least 1"),
    ],
)
def test_bad_arguments_exit_1_and_poll_nothing(agent, args, message):
    Mailbox.objects.create(name="web", address="web@desk.test", owner=agent)
    Mailbox.objects.create(
        name="old", address="old@desk.test", owner=agent, imap_host="127.0.0.1", active=False
    )

    with pytest.raises(CommandError, match=message) as failed:
        _run(*args)

    assert failed.value.returncode == 1

    assert not Mailbox.objects.filter(last_polled_at__isnull=False).exists()


def test_nothing_to_poll_is_not_an_error(agent):
    out, _err = _run()

    assert out == "no mailbox to poll (none active with an IMAP host)\n"
