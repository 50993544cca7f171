"""The channels' API (mounted at /api/channels): one router, each area adding its own."""

from ninja import Router

router = Router(tags=["channels"])
