"""Fixtures of the channels' tests: real servers on loopback ports."""

import pytest

from caseflow.cases import events
from caseflow.channels.tests.dovecot import dovecot, imap_user  # noqa: F401 (fixtures)
from caseflow.channels.tests.inbound_fixtures import inbox, known_sender  # noqa: F401 (mail intake)
from caseflow.channels.tests.outbound_fixtures import *  # noqa: F403 (fixtures)
from caseflow.channels.tests.phone_helpers import phone_caller  # noqa: F401 (a fixture)
from caseflow.channels.tests.sms_gateway import sms_gateway  # noqa: F401 (a fixture)
from caseflow.channels.tests.smtp_server import smtp_sink  # noqa: F401 (a fixture)


@pytest.fixture
def customer_opened():
    """The `opened` case events of the test that carry a channel's origin (a customer opened
    the case), as the acknowledgements receive them after COMMIT."""
    seen: list[events.CaseEvent] = []

    def record(event: events.CaseEvent) -> None:
        if event.data.get("by_customer"):
            seen.append(event)

    events.subscribe(events.OPENED, record, name="test.customer_opened")
    yield seen
    events.unsubscribe("test.customer_opened")
