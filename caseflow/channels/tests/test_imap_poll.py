"""Polling a mailbox on a real Dovecot: what is delivered, flagged, moved, and what is left
for the next poll when something fails."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from caseflow.channels.inbound import imap
from caseflow.channels.inbound.imap import DONE_KEYWORD, poll_mailbox
from caseflow.channels.models import ImapPollLease, ImapSecurity, InboundMessage, Mailbox
from caseflow.channels.tests.dovecot import free_port
from caseflow.channels.tests.imap_helpers import imap_mailbox, make_message, store_inbound

pytestmark = pytest.mark.django_db

DONE = {"\\Seen", DONE_KEYWORD}


@pytest.fixture
def mailbox(dovecot, imap_user, agent) -> Mailbox:
    return imap_mailbox(dovecot, imap_user, agent)


def _stored() -> list[bytes]:
    return [message.raw.open("rb").read() for message in InboundMessage.objects.order_by("id")]


def _flags(dovecot, imap_user, folder: str = "INBOX") -> list[set[str]]:
    by_uid = dovecot.flags(imap_user, folder)
    return [by_uid[uid] - {"\\Recent"} for uid in sorted(by_uid)]


def test_a_poll_delivers_every_waiting_message_then_flags_it(dovecot, imap_user, mailbox):
    messages = [make_message(n) for n in range(3)]
    dovecot.append(imap_user, messages)

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert (result.waiting, result.fetched, result.delivered, result.failed) == (3, 3, 3, 0)
    assert result.ok and not result.error
    assert _stored() == messages  # the exact bytes, oldest first
    assert _flags(dovecot, imap_user) == [DONE, DONE, DONE]
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert mailbox.last_error == ""


def test_a_second_poll_delivers_nothing_new(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, [make_message(n) for n in range(2)])
    poll_mailbox(mailbox, deliver=store_inbound)

    again = poll_mailbox(mailbox, deliver=store_inbound)

    assert (again.waiting, again.fetched, again.delivered) == (0, 0, 0)
    assert InboundMessage.objects.count() == 2


def test_mail_someone_already_read_is_still_delivered(dovecot, imap_user, mailbox):
    # a colleague opened it in a mail client first: \Seen alone doesn't mean "processed"
    dovecot.append(imap_user, make_message(1), flags="\\Seen")

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert result.delivered == 1
    assert _flags(dovecot, imap_user) == [DONE]


def test_nothing_is_marked_read_before_delivery(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, make_message(1))
    seen_while_delivering = []

    def deliver(box, raw):
        seen_while_delivering.extend(_flags(dovecot, imap_user))
        return store_inbound(box, raw)

    poll_mailbox(mailbox, deliver=deliver)

    assert seen_while_delivering == [set()]  # BODY.PEEK: no \Seen during processing


def test_a_failing_delivery_leaves_the_message_for_the_next_poll(dovecot, imap_user, mailbox):
    messages = [make_message(n) for n in range(3)]
    dovecot.append(imap_user, messages)

    def deliver(box, raw):
        if raw == messages[1]:
            raise ConnectionError("database went away")
        return store_inbound(box, raw)

    first = poll_mailbox(mailbox, deliver=deliver)

    assert (first.fetched, first.delivered, first.failed) == (3, 2, 1)
    assert _flags(dovecot, imap_user) == [DONE, set(), DONE]
    mailbox.refresh_from_db()
    assert "1 message(s) not delivered" in mailbox.last_error
    assert "ConnectionError: database went away" in mailbox.last_error

    second = poll_mailbox(mailbox, deliver=store_inbound)

    assert (second.waiting, second.delivered, second.failed) == (1, 1, 0)
    assert _stored() == [messages[0], messages[2], messages[1]]
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


@pytest.fixture
def fetch_batches(monkeypatch) -> list[int]:
    """The number of messages of each FETCH of bodies (the real FETCH, counted)."""
    batches: list[int] = []
    fetch = imap._fetch

    def counted(client, uids):
        batches.append(len(uids))
        return fetch(client, uids)

    monkeypatch.setattr(imap, "_fetch", counted)
    return batches


def test_the_limit_bounds_one_poll_and_batches_bound_memory(
    dovecot, imap_user, mailbox, settings, fetch_batches
):
    settings.IMAP_FETCH_BATCH = 2
    messages = [make_message(n) for n in range(7)]
    dovecot.append(imap_user, messages)

    first = poll_mailbox(mailbox, deliver=store_inbound, limit=5)

    assert (first.waiting, first.delivered) == (7, 5)
    assert fetch_batches == [2, 2, 1]
    second = poll_mailbox(mailbox, deliver=store_inbound, limit=5)
    assert (second.waiting, second.delivered) == (2, 2)
    assert _stored() == messages


def test_batches_also_respect_a_byte_budget(dovecot, imap_user, mailbox, settings, fetch_batches):
    settings.IMAP_FETCH_BATCH_BYTES = 30_000
    dovecot.append(imap_user, [make_message(n, attachment_bytes=20_000) for n in range(3)])

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert result.delivered == 3
    assert fetch_batches == [1, 1, 1]  # each ~27 kB: two would pass the 30 kB budget


def test_a_message_over_the_size_limit_stays_and_is_reported(dovecot, imap_user, mailbox, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 10_000
    dovecot.append(imap_user, [make_message(1), make_message(2, attachment_bytes=50_000)])

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert (result.delivered, result.failed) == (1, 1)
    assert _flags(dovecot, imap_user) == [DONE, set()]
    mailbox.refresh_from_db()
    assert "over MAIL_MAX_MESSAGE_BYTES" in mailbox.last_error


def test_statuses_the_pipeline_returns_are_counted(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, [make_message(n) for n in range(2)])

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert result.statuses == {"received": 2}
    assert "2 delivered (2 received)" in result.summary()


# --- the folder for processed mail ----------------------------------------------------------


def test_processed_mail_is_moved_to_the_done_folder(dovecot, imap_user, mailbox):
    mailbox.imap_done_folder = "Erledigt-Geprüft"  # created when missing, UTF-7 on the wire
    dovecot.append(imap_user, [make_message(n) for n in range(3)])

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert (result.delivered, result.moved) == (3, 3)
    assert dovecot.flags(imap_user, "INBOX") == {}
    assert _flags(dovecot, imap_user, "Erledigt-Geprüft") == [DONE, DONE, DONE]
    assert poll_mailbox(mailbox, deliver=store_inbound).delivered == 0


def test_a_failed_message_is_not_moved(dovecot, imap_user, mailbox):
    mailbox.imap_done_folder = "Done"
    messages = [make_message(n) for n in range(2)]
    dovecot.append(imap_user, messages)

    def deliver(box, raw):
        if raw == messages[0]:
            raise RuntimeError("not now")
        return store_inbound(box, raw)

    poll_mailbox(mailbox, deliver=deliver)

    assert dovecot.bodies(imap_user, "INBOX") == [messages[0]]
    assert dovecot.bodies(imap_user, "Done") == [messages[1]]


def test_without_move_the_server_gets_copy_delete_expunge(dovecot, imap_user, mailbox, monkeypatch):
    capabilities = imap._capabilities
    monkeypatch.setattr(imap, "_capabilities", lambda client: capabilities(client) - {"MOVE"})
    mailbox.imap_done_folder = "Done"
    dovecot.append(imap_user, [make_message(n) for n in range(2)])
    # someone else's deleted mail in the folder must survive our EXPUNGE (UID EXPUNGE)
    dovecot.append(imap_user, make_message(99), flags="\\Deleted")

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert result.moved == 2
    assert len(dovecot.bodies(imap_user, "Done")) == 2
    assert _flags(dovecot, imap_user, "INBOX") == [{"\\Deleted"}]


def test_mail_flagged_but_not_moved_by_an_interrupted_poll_is_moved_next_time(
    dovecot, imap_user, mailbox
):
    mailbox.imap_done_folder = "Done"
    dovecot.append(imap_user, make_message(1), flags=f"\\Seen {DONE_KEYWORD}")
    dovecot.append(imap_user, make_message(2))

    result = poll_mailbox(mailbox, deliver=store_inbound)

    assert (result.delivered, result.moved) == (1, 2)
    assert dovecot.flags(imap_user, "INBOX") == {}


# --- errors: recorded on the mailbox, never raised ------------------------------------------


def _fails_with(mailbox: Mailbox, *words: str) -> None:
    result = poll_mailbox(mailbox, deliver=store_inbound)
    assert result.error
    assert not result.ok
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    for word in words:
        assert word in mailbox.last_error, mailbox.last_error
    assert InboundMessage.objects.count() == 0


def test_a_wrong_password_is_recorded(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, make_message(1))
    mailbox.imap_password = "wrong"

    _fails_with(mailbox, f"login as {imap_user.name}", "failed", "Authentication failed")
    assert _flags(dovecot, imap_user) == [set()]


def test_a_password_with_umlauts_logs_in(dovecot, agent):
    user = dovecot.add_user(password="Grüße-aus-Köln")
    box = imap_mailbox(dovecot, user, agent)
    dovecot.append(user, make_message(1))

    assert poll_mailbox(box, deliver=store_inbound).delivered == 1


def test_a_refused_connection_is_recorded(mailbox):
    mailbox.imap_port = free_port()  # nothing listens there

    _fails_with(mailbox, "refused the connection")


def test_a_silent_server_times_out(mailbox, settings):
    settings.IMAP_TIMEOUT = 1
    with socket.socket() as silent:  # accepts connections (backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        mailbox.imap_port = silent.getsockname()[1]

        _fails_with(mailbox, "no answer from", "within 1 s")


def test_a_missing_folder_is_recorded(mailbox):
    mailbox.imap_folder = "Nowhere"

    _fails_with(mailbox, "folder Nowhere", "cannot be opened")


def test_a_mailbox_without_a_host_is_an_error_not_localhost(mailbox):
    mailbox.imap_host = ""  # imaplib would take "" for the local machine

    _fails_with(mailbox, "no IMAP host")


def test_no_password_goes_unencrypted_to_another_host(mailbox):
    mailbox.imap_host = "imap.example.com"  # refused before any connection is made

    _fails_with(mailbox, "unencrypted")


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def tls(dovecot, settings):
    if dovecot.ca_file is None:
        pytest.skip("no openssl command: no certificate for the TLS tests")
    settings.IMAP_CA_FILE = str(dovecot.ca_file)
    return dovecot


@pytest.mark.parametrize("security", [ImapSecurity.SSL, ImapSecurity.STARTTLS])
def test_polls_over_tls(tls, imap_user, agent, security):
    box = imap_mailbox(tls, imap_user, agent, security=security)
    tls.append(imap_user, make_message(1))

    result = poll_mailbox(box, deliver=store_inbound)

    assert (result.error, result.delivered) == ("", 1)


def test_an_untrusted_certificate_is_recorded(tls, imap_user, agent, settings):
    settings.IMAP_CA_FILE = ""
    box = imap_mailbox(tls, imap_user, agent, security=ImapSecurity.SSL)

    _fails_with(box, "certificate", "not trusted")


# --- one poll at a time ----------------------------------------------------------------------


def test_a_mailbox_being_polled_is_skipped(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, [make_message(n) for n in range(2)])
    inner = []

    def deliver(box, raw):
        inner.append(poll_mailbox(Mailbox.objects.get(pk=box.pk), deliver=store_inbound))
        return store_inbound(box, raw)

    outer = poll_mailbox(mailbox, deliver=deliver)

    assert outer.delivered == 2
    assert [result.busy for result in inner] == [True, True]
    assert InboundMessage.objects.count() == 2
    assert "another poll" in inner[0].summary()
    # released at the end: the next poll runs
    assert not poll_mailbox(mailbox, deliver=store_inbound).busy


def test_a_lease_left_by_a_killed_worker_expires(dovecot, imap_user, mailbox):
    dovecot.append(imap_user, make_message(1))
    ImapPollLease.objects.create(
        mailbox=mailbox, holder="killed-worker", expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert poll_mailbox(mailbox, deliver=store_inbound).busy

    ImapPollLease.objects.filter(pk=mailbox.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert poll_mailbox(mailbox, deliver=store_inbound).delivered == 1


# --- folder names on the wire ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("INBOX", '"INBOX"'),
        ("Entwürfe", '"Entw&APw-rfe"'),
        ("R&D", '"R&-D"'),
        ('Say "hi"', '"Say \\"hi\\""'),
        ("日本語", '"&ZeVnLIqe-"'),
    ],
)
def test_folder_names_are_modified_utf7_and_quoted(name, wire):
    assert imap._folder_arg(name) == wire
