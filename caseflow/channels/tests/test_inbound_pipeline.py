"""The mail intake pipeline: raw first, threading, linking, duplicates, automatic mail,
quarantine and retry."""

from __future__ import annotations

import pytest

from caseflow.cases.models import Case, CaseStatus, TimelineEvent
from caseflow.channels import senders
from caseflow.channels.inbound import services
from caseflow.channels.inbound.store import read_raw
from caseflow.channels.models import InboundMessage, InboundStatus, UnknownSender
from caseflow.channels.tests.inbound_fixtures import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(customer_opened):
    """The new customer cases announced to the acknowledgements (after COMMIT)."""
    return customer_opened


def test_a_known_senders_mail_opens_a_case_with_the_event_and_is_announced(
    inbox, known_sender, announced, django_capture_on_commit_callbacks
):
    raw = message(attachments=[("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 fake jpeg")])
    with django_capture_on_commit_callbacks(execute=True):
        inbound = services.receive(inbox, raw, source="mta")

    assert inbound.status == InboundStatus.PROCESSED, inbound.reason
    assert read_raw(inbound) == raw
    case = inbound.case
    assert case.customer == known_sender and case.channel == "email"
    assert case.subject == "Pump is loud"
    assert case.owner == inbox.owner and case.team == inbox.team
    event = inbound.event
    assert event.event_type.code == "email_in" and not event.is_internal
    assert event.text == "The pump rattles when brewing."
    assert event.data["from"] == {"name": "Erika Muster", "email": "erika@example.org"}
    assert [a.filename for a in event.attachments.all()] == ["photo.jpg"]
    assert inbound.sender == "erika@example.org" and inbound.subject == "Pump is loud"
    (opened,) = announced
    assert (opened.case_id, opened.channel) == (case.pk, "email")
    origin = opened.data
    assert origin["address"] == "erika@example.org" and origin["acknowledge"] is True
    assert origin["language"] == "de" and origin["mailbox"] == inbox.pk
    assert origin["message_id"] == inbound.event.data["message_id"]


def _receive(inbox, raw: bytes) -> InboundMessage:
    inbound = services.receive(inbox, raw, source="mta")
    assert inbound.status != InboundStatus.QUARANTINED, inbound.reason
    return inbound


def test_an_unknown_sender_gets_a_placeholder_case_remembering_who_wrote(inbox):
    inbound = _receive(inbox, message(sender="Hans Neu <hans@new.example>"))
    case = inbound.case
    assert senders.is_unknown(case)
    sender = UnknownSender.objects.get(case=case)
    assert (sender.name, sender.email, sender.language) == ("Hans Neu", "hans@new.example", "de")


def test_the_case_tag_threads_a_reply_onto_its_case(inbox, known_sender):
    first = _receive(inbox, message())
    number = first.case.number
    reply = _receive(inbox, message(subject=f"Re: Pump is loud [{number}]", body="Still loud."))
    assert reply.case == first.case
    assert first.case.events.filter(event_type__code="email_in").count() == 2


def test_a_forged_tag_for_a_missing_case_is_a_new_case_not_an_error(inbox, known_sender):
    inbound = _receive(inbox, message(subject="Help [C-1999-999999]"))
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.case.subject == "Help [C-1999-999999]"


def test_in_reply_to_and_references_thread_on_stored_message_ids(inbox, known_sender):
    first = _receive(inbox, message(message_id="<first@example.org>", subject="One"))
    by_reply = _receive(
        inbox, message(subject="Other words", headers={"In-Reply-To": "<first@example.org>"})
    )
    by_references = _receive(
        inbox,
        message(subject="x", headers={"References": "<unknown@x> <first@example.org>"}),
    )
    assert by_reply.case == first.case == by_references.case


def test_a_reply_to_our_outgoing_mail_threads_on_its_message_id(inbox, known_sender, agent):
    from caseflow.cases.services import record_event
    from caseflow.channels.models import OutboundMessage

    case = _receive(inbox, message()).case
    event = record_event(
        actor=agent, channel="ui", case=case, event_type="email_out", text="Descale it."
    )
    OutboundMessage.objects.create(
        kind="email", case=case, event=event, to="erika@example.org", body="Descale it.",
        message_id="<ours-1@desk.test>",
    )  # fmt: skip
    answer = _receive(
        inbox,
        message(subject="No tag here", headers={"In-Reply-To": "<ours-1@desk.test>"}, body="Done."),
    )
    assert answer.case == case


def test_same_bytes_twice_make_one_case_and_one_event(inbox, known_sender):
    raw = message()
    first = _receive(inbox, raw)
    again = _receive(inbox, raw)
    assert again.status == InboundStatus.DUPLICATE
    assert again.duplicate_of == first and again.case == first.case
    assert Case.objects.count() == 1
    assert TimelineEvent.objects.filter(event_type__code="email_in").count() == 1
    assert InboundMessage.objects.count() == 2  # every delivery is kept


def test_same_message_id_with_other_bytes_is_processed_too(inbox, known_sender):
    one = _receive(inbox, message(message_id="<reused@broken.mailer>", body="One"))
    two = _receive(inbox, message(message_id="<reused@broken.mailer>", body="Two"))
    assert one.status == two.status == InboundStatus.PROCESSED
    assert one.case != two.case  # a Message-ID alone threads nothing, proves nothing


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.example.org>"},
    ],
)
def test_automatic_mail_opens_no_case_and_is_kept_as_ignored(
    inbox, known_sender, announced, headers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inbound = _receive(inbox, message(headers=headers))
    assert inbound.status == InboundStatus.IGNORED
    assert inbound.is_automatic and "automatic" in inbound.reason
    assert inbound.case is None and not Case.objects.exists()
    assert announced == []


def test_automatic_mail_to_an_existing_case_is_recorded_but_never_announced(
    inbox, known_sender, announced, django_capture_on_commit_callbacks
):
    case = _receive(inbox, message()).case
    with django_capture_on_commit_callbacks(execute=True):
        reply = _receive(
            inbox,
            message(
                subject=f"Out of office: Re: [{case.number}]",
                headers={"Auto-Submitted": "auto-replied"},
            ),
        )
    assert reply.status == InboundStatus.PROCESSED and reply.case == case
    assert reply.event.data["automatic"] == "Auto-Submitted: auto-replied"
    assert announced == []


def test_mail_from_our_own_address_never_opens_a_case(inbox):
    inbound = _receive(inbox, message(sender="Support <SUPPORT@desk.test>"))
    assert inbound.status == InboundStatus.IGNORED


def test_a_bounce_from_the_mailer_daemon_is_ignored(inbox):
    inbound = _receive(inbox, message(sender="MAILER-DAEMON@mx.example.org"))
    assert inbound.status == InboundStatus.IGNORED


def test_order_and_serial_numbers_link_the_order_its_customer_and_the_unit(inbox, known_sender):
    from caseflow.catalog.tests.factories import SalesOrderFactory, UnitFactory

    order = SalesOrderFactory(number="SO-2026-000042")
    unit = UnitFactory(serial="EM200-2601-00042")
    inbound = _receive(
        inbox,
        message(
            subject="Broken machine, order so-2026-000042",
            body="Serial EM200-2601-00042, bought last month.",
        ),
    )
    case = inbound.case
    assert case.sales_order == order and case.customer == order.customer  # the order wins
    assert case.unit == unit and case.product == unit.product


def test_a_reply_to_a_closed_case_opens_a_follow_up_case(inbox, known_sender, agent):
    from caseflow.cases.models import Code, CodeKind
    from caseflow.cases.services import close_case, resolve_case

    case = _receive(inbox, message()).case
    general = Code.objects.filter(kind=CodeKind.RESOLUTION, parent=None, active=True).first()
    specific = general.children.filter(active=True).first()
    resolve_case(
        actor=agent, channel="ui", case=case, resolution_general=general,
        resolution_specific=specific,
    )  # fmt: skip
    close_case(actor=agent, channel="ui", case=case)
    answer = _receive(inbox, message(subject=f"Re: [{case.number}] thanks, but"))
    assert answer.case != case
    assert answer.event.data["follows_up"] == case.number
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_failure_quarantines_with_the_reason_and_a_retry_after_the_fix_processes(
    inbox, known_sender, settings
):
    settings.MAIL_ORDER_PATTERN = r"SO-(\d+"  # a broken configuration
    inbound = services.receive(inbox, message(), source="mta")
    assert inbound.status == InboundStatus.QUARANTINED
    assert "MAIL_ORDER_PATTERN" in inbound.reason
    assert inbound.sender == "erika@example.org"  # the list says who wrote
    assert not Case.objects.exists() and not TimelineEvent.objects.exists()  # rolled back
    assert inbound.attempts == 1

    settings.MAIL_ORDER_PATTERN = r"\bSO-\d{4}-\d{6}\b"
    done = services.retry(inbound)
    assert done.status == InboundStatus.PROCESSED and done.case is not None
    assert done.attempts == 2 and done.reason == ""
    with pytest.raises(Exception, match="Only quarantined"):
        services.retry(done)


def test_a_delivery_stored_but_never_processed_is_picked_up_by_the_periodic_task(
    inbox, known_sender
):
    from datetime import timedelta

    from django.utils import timezone

    from caseflow.channels.inbound.store import store_raw
    from caseflow.channels.inbound.tasks import process_stuck_mail

    stuck = store_raw(inbox, message(), source="mta")  # the worker died right after this
    fresh = store_raw(inbox, message(body="just arrived"), source="mta")
    InboundMessage.objects.filter(pk=stuck.pk).update(
        received_at=timezone.now() - timedelta(minutes=30)
    )
    assert process_stuck_mail.call_local() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == InboundStatus.PROCESSED and stuck.case is not None
    assert fresh.status == InboundStatus.RECEIVED  # its own worker is still on it
