"""Fixtures of the channels' tests: real servers on loopback ports."""

from caseflow.channels.tests.dovecot import dovecot, imap_user  # noqa: F401 (fixtures)
from caseflow.channels.tests.inbound_fixtures import inbox, known_sender  # noqa: F401 (mail intake)
from caseflow.channels.tests.outbound_fixtures import *  # noqa: F403 (fixtures)
from caseflow.channels.tests.smtp_server import smtp_sink  # noqa: F401 (a fixture)
