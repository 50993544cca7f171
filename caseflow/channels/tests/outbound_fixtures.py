"""Fixtures of the e-mail-out and web form tests (prefixed `out_`): a customer with an
address, a mailbox with a signature, a case — all made through the services."""

from __future__ import annotations

import pytest

from caseflow.cases import services as case_services
from caseflow.cases.models import Case
from caseflow.channels.models import Mailbox
from caseflow.core.models import Channel
from caseflow.customers.models import Customer

SIGNATURE = "ACME Service · Hotline +49 30 1234567"


@pytest.fixture
def out_customer(call_customer) -> Customer:
    """Erika Mustermann, German, erika@example.com (the root conftest's `call_customer`)."""
    return call_customer


@pytest.fixture
def out_mailbox(agent) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        address="support@desk.test",
        display_name="ACME Support",
        owner=agent,
        signature=SIGNATURE,
        acknowledge=True,
    )


@pytest.fixture
def out_case(agent, out_customer, out_mailbox) -> Case:
    """A new case of Erika's, her primary contact on it."""
    return case_services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=out_customer,
        contact=out_customer.contacts.get(),
        subject="Pump is loud",
    )
