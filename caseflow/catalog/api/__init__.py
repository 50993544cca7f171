"""Catalogue API: products, units, registrations, contracts, orders and CSV imports.

One router per aggregate, mounted here under the app's router (`/api/catalog/…`).
"""

from ninja import Router

from caseflow.catalog.api import contracts, imports, orders, products, units

router = Router(tags=["catalog"])
for part in (products, units, contracts, orders, imports):
    router.add_router("", part.router)
