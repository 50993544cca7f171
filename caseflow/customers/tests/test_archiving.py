"""Archiving and restoring go through core.editing: one audit entry per real change, none for
a repeat, the version taken once, and the name index told."""

from __future__ import annotations

import pytest

from caseflow.core.audit import first_broken_link
from caseflow.core.models import AuditEntry, Channel
from caseflow.customers import services
from caseflow.customers.models import NameWord
from caseflow.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _entries(customer, action):
    return AuditEntry.objects.filter(chain=f"customers.customer:{customer.pk}", action=action)


def test_archiving_twice_writes_one_entry_and_one_version(agent):
    customer = services.create_customer(
        actor=agent, channel=Channel.UI, kind="person", name="Jana Weiß"
    )

    first = services.archive_customer(actor=agent, channel=Channel.UI, customer=customer)
    again = services.archive_customer(actor=agent, channel=Channel.UI, customer=first)

    assert again.archived_at == first.archived_at
    assert again.version == 2
    entry = _entries(customer, "customer.archived").get()
    assert entry.before is None
    assert list(entry.after) == ["archived_at"]
    assert entry.after["archived_at"].startswith(f"{first.archived_at:%Y-%m-%dT%H:%M:%S}")
    assert set(NameWord.objects.filter(customer=customer).values_list("archived", flat=True)) == {
        True
    }


def test_restoring_names_the_archive_time_it_undoes_and_a_live_customer_stays(agent):
    customer = services.create_customer(
        actor=agent, channel=Channel.UI, kind="person", name="Jana Weiß"
    )
    archived = services.archive_customer(actor=agent, channel=Channel.UI, customer=customer)

    restored = services.restore_customer(actor=agent, channel=Channel.UI, customer=archived)
    services.restore_customer(actor=agent, channel=Channel.UI, customer=restored)

    restored.refresh_from_db()
    assert restored.archived_at is None
    assert restored.version == 3
    entry = _entries(customer, "customer.restored").get()
    assert entry.before == _entries(customer, "customer.archived").get().after
    assert entry.after == {"archived_at": None}
    assert not NameWord.objects.filter(customer=customer, archived=True).exists()
    assert first_broken_link() is None


def test_an_archived_contact_leaves_its_primary_role_in_the_customers_chain(agent):
    customer = CustomerFactory()
    contact = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="A")
    assert contact.is_primary

    archived = services.archive_contact(actor=agent, channel=Channel.UI, contact=contact)
    services.archive_contact(actor=agent, channel=Channel.UI, contact=archived)

    archived.refresh_from_db()
    assert archived.archived_at is not None
    assert not archived.is_primary
    entry = _entries(customer, "customer.contact_archived").get()
    assert entry.target_id == str(contact.pk)
    # the primary flag it loses is recorded too (verify_audit compares it with the row)
    assert set(entry.after) == {"archived_at", "is_primary"}
    assert (entry.before, entry.after["is_primary"]) == ({"is_primary": True}, False)


def test_a_contact_update_audits_the_changed_fields_without_a_version(agent):
    customer = CustomerFactory()
    contact = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="A")

    services.update_contact(
        actor=agent, channel=Channel.UI, contact=contact, name="A", title="Einkauf"
    )
    services.update_contact(actor=agent, channel=Channel.UI, contact=contact, title="Einkauf")

    entry = _entries(customer, "customer.contact_updated").get()
    assert (entry.before, entry.after) == ({"title": ""}, {"title": "Einkauf"})
