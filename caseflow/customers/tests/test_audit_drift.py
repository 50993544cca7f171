"""`verify_audit` compares customers, contacts and contact points with what the services
recorded: a change in SQL shows, a change through the services does not."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caseflow.core.models import Channel
from caseflow.customers import services
from caseflow.customers.models import Contact, ContactPoint, Customer

pytestmark = pytest.mark.django_db
UI = Channel.UI


@pytest.fixture
def erika(agent) -> Customer:
    customer = services.create_customer(
        actor=agent,
        channel=UI,
        kind="person",
        name="Erika Muster",
        country="DE",
        emails=["erika@example.org"],
        phones=["030 1234567"],
    )
    second = services.add_contact(actor=agent, channel=UI, customer=customer, name="Max")
    services.update_contact(actor=agent, channel=UI, contact=second, is_primary=True)
    services.archive_contact(actor=agent, channel=UI, contact=second)
    point = ContactPoint.objects.filter(customer=customer, kind="email").get()
    services.remove_contact_point(actor=agent, channel=UI, point=point)
    services.archive_customer(actor=agent, channel=UI, customer=customer)
    return services.restore_customer(actor=agent, channel=UI, customer=customer)


def test_the_services_leave_no_drift(erika, capsys):
    call_command("verify_audit")
    assert "no drift" in capsys.readouterr().out


def test_sql_changes_to_a_customer_and_its_contacts_show(erika, capsys):
    Customer.objects.filter(pk=erika.pk).update(name="Someone else", region=None)
    Contact.objects.filter(customer=erika, archived_at__isnull=True).update(is_primary=True)
    phone = ContactPoint.objects.get(customer=erika)
    ContactPoint.objects.filter(pk=phone.pk).delete()

    with pytest.raises(CommandError):
        call_command("verify_audit")

    report = capsys.readouterr().err
    assert f"customers.customer:{erika.pk}" in report and "name is 'Someone else'" in report
    assert "is_primary is True, but the audit trail last recorded False" in report
    assert f"customers.contactpoint:{phone.pk}" in report
    assert "the row is gone, but the audit trail does not record its deletion" in report
