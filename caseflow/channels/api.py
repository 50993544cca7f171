"""The channels' API (mounted at /api/channels): one router, each area adding its own."""

from ninja import Router

router = Router(tags=["channels"])

from caseflow.channels.outbound.api import router as outbound_router  # noqa: E402

router.add_router("", outbound_router)

# --- Phone and SMS: the PBX's and the SMS gateway's signed webhooks ---
from caseflow.channels.calls import api as _calls_api  # noqa: E402, F401
from caseflow.channels.sms import api as _sms_api  # noqa: E402, F401
