"""The channels' API (mounted at /api/channels): one router, each area adding its own."""

from ninja import Router

router = Router(tags=["channels"])

from caseflow.channels.outbound.api import router as outbound_router  # noqa: E402

router.add_router("", outbound_router)
