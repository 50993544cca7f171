"""Inbound SMS by the gateway's signed webhook, linked by phone number like e-mail: the
contact's latest open case (or the case the text names) gets an `sms_in` entry, else a new
case; a re-delivery changes nothing; bad requests are refused and write nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from caseflow.cases import services as case_services
from caseflow.cases.models import Case, CaseStatus, TimelineEvent
from caseflow.channels import senders
from caseflow.channels.models import (
    InboundSms,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
    UnknownSender,
)
from caseflow.channels.tests.phone_helpers import (
    CTI_SECRET,
    SMS_INBOUND_URL,
    SMS_SECRET,
    post_signed,
)
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db


def sms(client, text="Ist das Gerät fertig?", *, sender="+49 171 2345678", id="sms-1", **kw):
    body = {"id": id, "from": sender, "to": "+49 40 999000", "text": text, "at": kw.pop("at", None)}
    body["at"] = body["at"] or timezone.now().isoformat()
    return post_signed(client, SMS_INBOUND_URL, body, secret=kw.pop("secret", SMS_SECRET), **kw)


def open_case(agent, customer, subject="Pump is loud", **fields):
    return case_services.open_case(
        actor=agent, channel=Channel.PHONE, customer=customer, subject=subject, **fields
    )


def nothing_written() -> bool:
    return not InboundSms.objects.exists() and not Case.objects.exists()


# --- linking ----------------------------------------------------------------------------------


def test_the_contacts_latest_open_case_gets_the_sms(client, agent, phone_caller):
    contact = phone_caller.contacts.get()
    older = open_case(agent, phone_caller, contact=contact, subject="older")
    newer = open_case(agent, phone_caller, contact=contact, subject="newer")

    response = sms(client, sender="0171 2345678")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": "sms-1",
        "status": "processed",
        "case": newer.number,
        "duplicate": False,
    }
    event = TimelineEvent.objects.get(event_type__code="sms_in")
    assert event.case == newer
    assert event.text == "Ist das Gerät fertig?"
    assert event.channel == Channel.SMS
    assert event.is_internal is False
    assert event.data == {"from": "+491712345678", "provider_id": "sms-1"}
    assert event.actor is None
    stored = InboundSms.objects.get()
    assert (stored.case, stored.event, stored.number) == (newer, event, "+491712345678")
    assert not older.events.filter(event_type__code="sms_in").exists()


def test_a_case_number_in_the_text_wins_when_it_is_the_senders(client, agent, phone_caller):
    contact = phone_caller.contacts.get()
    named = open_case(agent, phone_caller, contact=contact, subject="named")
    open_case(agent, phone_caller, contact=contact, subject="newest")

    response = sms(client, f"Zu {named.number.lower()}: wann kommt der Techniker?")

    assert response.json()["case"] == named.number


def test_a_case_number_of_another_customer_is_ignored(client, agent, phone_caller):
    from caseflow.customers.tests.factories import CustomerFactory

    foreign = open_case(agent, CustomerFactory(), subject="not hers")
    own = open_case(agent, phone_caller, contact=phone_caller.contacts.get())

    response = sms(client, f"Bitte {foreign.number} schließen")

    assert response.json()["case"] == own.number
    assert not foreign.events.filter(event_type__code="sms_in").exists()


def test_a_waiting_case_opens_again_when_the_customer_answers(client, agent, phone_caller):
    case = open_case(agent, phone_caller, contact=phone_caller.contacts.get())
    case = case_services.change_status(
        actor=agent, channel=Channel.UI, case=case, status=CaseStatus.WAITING_CUSTOMER
    )

    sms(client, "Ja, passt.")

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_known_sender_without_an_open_case_gets_a_new_case(
    client, phone_caller, customer_opened, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sms(client, "Die Maschine tropft.\nSeit gestern.")

    case = Case.objects.get(number=response.json()["case"])
    assert case.customer == phone_caller
    assert case.contact == phone_caller.contacts.get()
    assert case.channel == Channel.SMS
    assert case.subject == "Die Maschine tropft."
    assert case.symptom == "Die Maschine tropft.\nSeit gestern."
    assert case.status == CaseStatus.NEW  # the system wrote; it still waits for an agent
    event = case.events.get(event_type__code="sms_in")
    assert event.text == "Die Maschine tropft.\nSeit gestern."
    assert InboundSms.objects.get().event == event
    (opened,) = customer_opened
    assert (opened.case_id, opened.channel) == (case.pk, "sms")
    assert opened.data["address"] == "+491712345678" and opened.data["acknowledge"] is True
    assert opened.data["language"] == "de"
    assert opened.data["mailbox"] is None


def test_an_unknown_sender_gets_a_case_marked_unknown_contact(
    client, customer_opened, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sms(client, "Hallo, mein Gerät ist kaputt", sender="0151 9876543")

    case = Case.objects.get(number=response.json()["case"])
    assert senders.is_unknown(case)
    sender = UnknownSender.objects.get(case=case)
    assert (sender.phone, sender.channel) == ("+491519876543", "sms")
    (opened,) = customer_opened
    assert (opened.case_id, opened.channel) == (case.pk, "sms")
    assert opened.data["address"] == "+491519876543" and opened.data["language"] == "en"

    # the next SMS from that number naming the case lands on it
    again = sms(client, f"Nachtrag zu {case.number}", sender="+491519876543", id="sms-2")
    assert again.json()["case"] == case.number
    assert case.events.filter(event_type__code="sms_in").count() == 2


def test_a_redelivered_sms_changes_nothing(client, agent, phone_caller):
    open_case(agent, phone_caller, contact=phone_caller.contacts.get())
    first = sms(client)
    again = sms(client, "changed text, same id")

    assert first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["case"] == first.json()["case"]
    assert InboundSms.objects.count() == 1
    assert TimelineEvent.objects.filter(event_type__code="sms_in").count() == 1


def test_an_empty_sms_is_kept_too(client, agent, phone_caller):
    open_case(agent, phone_caller, contact=phone_caller.contacts.get())

    response = sms(client, "")

    assert response.json()["status"] == "processed"
    assert TimelineEvent.objects.get(event_type__code="sms_in").text == "(empty message)"


def test_an_sms_that_cannot_be_linked_is_quarantined_not_lost(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(senders, "open_case", broken)

    response = sms(client, sender="0151 9876543")

    assert response.status_code == 200
    assert response.json()["status"] == "quarantined"
    stored = InboundSms.objects.get()
    assert stored.status == InboundStatus.QUARANTINED
    assert "database on fire" in stored.reason
    assert stored.text == "Ist das Gerät fertig?"
    assert not Case.objects.exists()


# --- refused: 4xx, nothing written ------------------------------------------------------------


def test_a_wrong_signature_is_refused(client):
    response = sms(client, secret="guessed")

    assert response.status_code == 401
    assert nothing_written()


def test_the_pbx_secret_does_not_open_the_sms_webhook(client):
    response = sms(client, secret=CTI_SECRET)

    assert response.status_code == 401
    assert nothing_written()


def test_an_old_timestamp_is_refused(client):
    response = sms(client, timestamp=int(time.time()) - 600)

    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"
    assert nothing_written()


def test_deeply_nested_json_is_malformed_json_not_a_server_error(client):
    response = post_signed(client, SMS_INBOUND_URL, b"[" * 30_000, secret=SMS_SECRET)

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_json",
        "message": "The body is not valid JSON.",
        "field": None,
    }
    assert nothing_written()


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
     "9999-12-31T23:59:59-05:00", "2000-01-01T00:00:00"],
)  # fmt: skip
def test_an_sms_sent_at_a_time_no_sms_has_is_refused(client, agent, phone_caller, when):
    response = sms(client, at=when)

    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("out_of_range", "at")
    assert nothing_written()


def test_an_sms_from_an_hour_in_the_future_is_refused(client):
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert sms(client, at=later).status_code == 422
    assert nothing_written()


def test_an_sms_a_gateway_delivers_a_day_late_is_taken(client, agent, phone_caller):
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    assert sms(client, at=yesterday).status_code == 200
    assert Case.objects.get().received_at < timezone.now() - timedelta(hours=23)


def test_malformed_json_is_refused(client):
    response = post_signed(client, SMS_INBOUND_URL, b'{"id": "x",', secret=SMS_SECRET)

    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "+491712345678", "text": "x", "at": "2026-11-24T10:00:00Z"}, "id"),
        ({"id": "a", "text": "x", "at": "2026-11-24T10:00:00Z"}, "from"),
        ({"id": "a", "from": "+491712345678", "at": "2026-11-24T10:00:00Z"}, "text"),
        ({"id": "a", "from": "+491712345678", "text": "x", "at": "never"}, "at"),
        ({"id": "a", "from": "+491712345678", "text": "x" * 5001, "at": "2026-11-24"}, "text"),
    ],
)
def test_a_message_missing_a_field_is_refused_naming_it(client, body, field):
    response = post_signed(client, SMS_INBOUND_URL, body, secret=SMS_SECRET)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert nothing_written()


def test_an_oversize_body_is_refused(client):
    body = json.dumps({"id": "a", "from": "+49", "text": "x" * 70_000, "at": "2026-11-24"})

    response = post_signed(client, SMS_INBOUND_URL, body.encode(), secret=SMS_SECRET)

    assert response.status_code == 413
    assert nothing_written()


@override_settings(SMS_INBOUND_SECRETS=[])
def test_without_a_secret_the_webhook_is_off(client):
    response = sms(client)

    assert response.status_code == 503
    assert nothing_written()


# --- the acknowledgement ----------------------------------------------------------------------


def test_a_new_sms_case_is_confirmed_by_sms_with_its_number(
    client, phone_caller, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sms(client, "Die Maschine tropft.")

    case = Case.objects.get(number=response.json()["case"])
    ack = OutboundMessage.objects.get(case=case, is_acknowledgement=True)
    assert ack.kind == "sms"
    assert ack.to == "+491712345678"
    assert case.number in ack.body
    assert ack.status == OutboundStatus.SENT  # the console backend, the task run inline
    assert ack.event.event_type.code == "sms_out"
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_an_sms_to_an_open_case_is_not_acknowledged(
    client, agent, phone_caller, django_capture_on_commit_callbacks
):
    open_case(agent, phone_caller, contact=phone_caller.contacts.get())

    with django_capture_on_commit_callbacks(execute=True):
        sms(client)

    assert not OutboundMessage.objects.filter(is_acknowledgement=True).exists()


@override_settings(SMS_ACKNOWLEDGE=False)
def test_the_acknowledgement_can_be_switched_off(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sms(client, sender="0151 9876543")

    assert Case.objects.count() == 1
    assert not OutboundMessage.objects.exists()


def test_a_sender_name_instead_of_a_number_gets_a_case_but_no_sms(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sms(client, "Ihr Paket kommt morgen", sender="DHL")

    assert response.json()["status"] == "processed"
    assert not OutboundMessage.objects.exists()
    assert UnknownSender.objects.get().phone == "DHL"
