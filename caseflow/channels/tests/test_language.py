"""Answering unknown senders in the language they wrote in."""

from __future__ import annotations

import pytest

from caseflow.channels.inbound import services
from caseflow.channels.language import guess_language
from caseflow.channels.models import UnknownSender
from caseflow.channels.tests.inbound_fixtures import message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola, mi cafetera no funciona desde ayer. Gracias y saludos", "es"),
        ("Hallo, meine Kaffeemaschine geht nicht mehr und ich habe sie seit Montag", "de"),
        ("Hello, my machine does not work since Monday. Thanks and regards", "en"),
    ],
)
def test_a_clear_message_gives_its_language(text, expected):
    assert guess_language(text, "xx") == expected


@pytest.mark.parametrize(
    "text",
    ["", "Pumpe E05", "ok", "Hola hello hallo", "12345 !!! ???", "the y und"],
)
def test_too_little_or_mixed_text_keeps_the_default(text):
    assert guess_language(text, "de") == "de"


def test_only_the_beginning_of_a_huge_text_is_read():
    text = "x " * 10_000 + "the and is my not with it to of please"
    assert guess_language(text, "de") == "de"


@pytest.mark.django_db
def test_an_unknown_spanish_sender_is_acknowledged_in_spanish(
    inbox, customer_opened, django_capture_on_commit_callbacks
):
    raw = message(
        sender="Lucía Pérez <lucia@nuevo.example>",
        subject="Cafetera no funciona",
        body="Hola, mi cafetera no funciona desde ayer y la bomba hace ruido. Gracias.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        inbound = services.receive(inbox, raw, source="mta")
    assert UnknownSender.objects.get(case=inbound.case).language == "es"
    (opened,) = customer_opened
    assert opened.data["language"] == "es"  # the mailbox answers strangers in German otherwise
    assert inbox.language == "de"
