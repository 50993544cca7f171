"""Fixtures of the mail intake tests (`inbox`, a mailbox; `known_sender`, a customer writing
from erika@example.org) and `message()`, a well-formed message as bytes."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from caseflow.accounts.models import Role, Team, User
from caseflow.channels.models import Mailbox
from caseflow.customers.models import ContactPointKind, Customer
from caseflow.customers.tests.factories import ContactPointFactory, CustomerFactory


@pytest.fixture
def inbox(db) -> Mailbox:
    team = Team.objects.create(name="Service desk")
    owner = User.objects.create_user(username="channel-owner", role=Role.AGENT, password="x")
    return Mailbox.objects.create(
        name="support", address="support@desk.test", owner=owner, team=team, language="de"
    )


@pytest.fixture
def known_sender(db) -> Customer:
    customer = CustomerFactory(name="Erika Muster", language="de")
    ContactPointFactory(
        contact__customer=customer,
        contact__name="Erika Muster",
        kind=ContactPointKind.EMAIL,
        value="erika@example.org",
    )
    return customer


def message(
    *,
    sender: str = "Erika Muster <erika@example.org>",
    to: str = "support@desk.test",
    subject: str = "Pump is loud",
    body: str = "The pump rattles when brewing.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    html: str | None = None,
) -> bytes:
    """A well-formed message as an MTA would hand it over."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
