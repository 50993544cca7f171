"""Products and contracts change through core.editing: lock, version, the changed fields (and
a contract's units) in one audit entry, archive once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caseflow.catalog import services
from caseflow.catalog.tests.factories import ProductFactory, ServiceContractFactory, UnitFactory
from caseflow.core.audit import first_broken_link
from caseflow.core.errors import Conflict
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db


def test_a_contract_update_audits_its_fields_and_its_units_in_one_entry(back_office):
    kept, added = UnitFactory(), UnitFactory()
    contract = ServiceContractFactory(units=[kept], level="standard")

    updated = services.update_service_contract(
        actor=back_office,
        channel=Channel.UI,
        contract=contract,
        version=1,
        level="premium",
        units=[kept, added],
    )

    assert updated.version == 2
    assert sorted(updated.units.values_list("pk", flat=True)) == sorted([kept.pk, added.pk])
    entry = AuditEntry.objects.get(action="catalog.contract_updated")
    assert entry.before == {"level": "standard", "units": [kept.pk]}
    assert entry.after == {"level": "premium", "units": sorted([kept.pk, added.pk])}


def test_a_contract_whose_units_alone_change_takes_a_new_version(back_office):
    unit = UnitFactory()
    contract = ServiceContractFactory()

    updated = services.update_service_contract(
        actor=back_office, channel=Channel.UI, contract=contract, version=1, units=[unit]
    )
    unchanged = services.update_service_contract(
        actor=back_office, channel=Channel.UI, contract=updated, version=2, units=[unit]
    )

    assert unchanged.version == 2
    entry = AuditEntry.objects.get(action="catalog.contract_updated")
    assert (entry.before, entry.after) == ({"units": []}, {"units": [unit.pk]})


def test_a_stale_product_update_conflicts_and_archiving_twice_audits_once(back_office):
    product = ProductFactory(price=Decimal("10.00"))
    services.update_product(
        actor=back_office, channel=Channel.UI, product=product, version=1, price="12.50"
    )
    with pytest.raises(Conflict):
        services.update_product(
            actor=back_office, channel=Channel.UI, product=product, version=1, price="11.00"
        )

    archived = services.archive_product(actor=back_office, channel=Channel.UI, product=product)
    again = services.archive_product(actor=back_office, channel=Channel.UI, product=archived)

    assert again.version == 3
    assert again.archived_at == archived.archived_at
    entry = AuditEntry.objects.get(action="catalog.product_updated")
    assert (entry.before, entry.after) == ({"price": "10.00"}, {"price": "12.50"})
    assert AuditEntry.objects.filter(action="catalog.product_archived").count() == 1
    assert first_broken_link() is None
