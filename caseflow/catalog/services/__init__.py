"""Every change to the catalogue: products, units, registrations, contracts and orders.

One module per aggregate (`products`, `units`, `contracts`, `orders`; shared checks in
`rules`); import the services from here. Each function checks the actor's role, validates
before it writes, and appends the audit entry in the same transaction. Registrations are
audited in their unit's chain, order lines in their order's.
"""

from caseflow.catalog.services.contracts import (
    CONTRACT_FIELDS,
    archive_service_contract,
    create_service_contract,
    update_service_contract,
)
from caseflow.catalog.services.orders import OrderLineIn, create_sales_order
from caseflow.catalog.services.products import (
    PRODUCT_FIELDS,
    archive_product,
    create_product,
    create_product_type,
    update_product,
)
from caseflow.catalog.services.rules import add_months, clean_serial
from caseflow.catalog.services.units import create_unit, register_unit

__all__ = [
    "CONTRACT_FIELDS",
    "PRODUCT_FIELDS",
    "OrderLineIn",
    "add_months",
    "archive_product",
    "archive_service_contract",
    "clean_serial",
    "create_product",
    "create_product_type",
    "create_sales_order",
    "create_service_contract",
    "create_unit",
    "register_unit",
    "update_product",
    "update_service_contract",
]
