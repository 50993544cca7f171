"""Fixtures of the channels' tests: real servers on loopback ports."""

from caseflow.channels.tests.dovecot import dovecot, imap_user  # noqa: F401 (fixtures)
from caseflow.channels.tests.inbound_fixtures import inbox, known_sender  # noqa: F401 (mail intake)
from caseflow.channels.tests.outbound_fixtures import *  # noqa: F403 (fixtures)
from caseflow.channels.tests.phone_helpers import phone_caller  # noqa: F401 (a fixture)
from caseflow.channels.tests.sms_gateway import sms_gateway  # noqa: F401 (a fixture)
from caseflow.channels.tests.smtp_server import smtp_sink  # noqa: F401 (a fixture)
