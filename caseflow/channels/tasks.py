"""Huey tasks of the channels (djhuey imports each app's `tasks` module). Each area keeps its
tasks in its own module, imported here so the consumer registers them."""

from caseflow.channels.inbound import drop as _drop  # noqa: F401 (drop folder, every minute)
from caseflow.channels.inbound import imap_tasks  # noqa: F401 (IMAP polling)
from caseflow.channels.inbound import tasks as inbound_tasks  # noqa: F401 (mail intake)
from caseflow.channels.outbound.tasks import send_outbound, sweep_outbound  # noqa: F401
from caseflow.channels.sms import tasks as _sms_tasks  # noqa: F401 (phone and SMS)
