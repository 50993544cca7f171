from __future__ import annotations

import pytest

from caseflow.core.audit import first_broken_link
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel
from caseflow.customers import services
from caseflow.customers.models import Contact, ContactPoint, ContactPointKind, Customer
from caseflow.customers.tests.factories import ContactFactory, CustomerFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _create(actor, **kwargs):
    values = {"kind": "organisation", "name": "Café Central GmbH"}
    values.update(kwargs)
    return services.create_customer(actor=actor, channel=Channel.PHONE, **values)


def test_create_customer_numbers_and_audits(agent):
    region = RegionFactory()
    first = _create(agent, region=region, city=" Wien ", country="at")
    second = _create(agent, name="Bäckerei Schmidt", kind="person")

    assert first.number == "CU-000001"
    assert second.number == "CU-000002"
    assert first.country == "AT"
    assert first.city == "Wien"
    entry = AuditEntry.objects.get(chain=f"customers.customer:{first.pk}")
    assert entry.action == "customer.created"
    assert entry.after["region"] == region.pk
    assert entry.actor_label == "agent"
    assert entry.channel == "phone"
    assert first_broken_link() is None


def test_create_customer_with_contact_details(agent):
    customer = _create(
        agent,
        emails=["Info@Cafe-Central.AT "],
        phones=["0171 1234567", "+43 1 5333763"],
    )

    contact = Contact.objects.get(customer=customer)
    assert contact.name == "Café Central GmbH"
    assert contact.is_primary
    points = {(p.kind, p.value) for p in contact.points.all()}
    assert points == {
        ("email", "info@cafe-central.at"),
        ("mobile", "+491711234567"),
        ("phone", "+4315333763"),
    }
    assert set(ContactPoint.objects.values_list("customer_id", flat=True)) == {customer.pk}
    actions = list(
        AuditEntry.objects.filter(chain=f"customers.customer:{customer.pk}").values_list(
            "action", flat=True
        )
    )
    assert actions[:2] == ["customer.created", "customer.contact_added"]
    assert actions.count("customer.contact_point_added") == 3
    assert first_broken_link() is None


def test_create_customer_names_contact(agent):
    customer = _create(agent, contact_name="Anna Berger")
    assert customer.contacts.get().name == "Anna Berger"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phones": ["+49 171 1234567", "12"]}, "phones[1]"),
        ({"phones": ["not a number"]}, "phones[0]"),
        ({"emails": ["no-at-sign.example.com"]}, "emails[0]"),
        ({"kind": "company"}, "kind"),
        ({"language": "fr"}, "language"),
        ({"name": "   "}, "name"),
        ({"country": "Germany"}, "country"),
    ],
)
def test_create_customer_refuses_bad_input_and_writes_nothing(agent, kwargs, field):
    with pytest.raises(DomainError) as exc:
        _create(agent, **kwargs)

    assert exc.value.field == field
    assert Customer.objects.count() == 0
    assert Contact.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_create_customer_needs_the_role(technician, quality_manager):
    for user in (technician, quality_manager):
        with pytest.raises(NotAllowed):
            _create(user)
    assert Customer.objects.count() == 0


def test_system_may_create_customers():
    customer = _create(None)
    assert AuditEntry.objects.get().actor_label == "system"
    assert customer.number.startswith("CU-")


def test_update_customer_records_changed_fields_and_bumps_version(agent):
    customer = _create(agent, city="Wien")
    updated = services.update_customer(
        actor=agent,
        channel=Channel.UI,
        customer=customer,
        version=1,
        city="Graz",
        name="Café Central GmbH",
        is_dealer=True,
    )

    assert updated.version == 2
    assert updated.city == "Graz"
    assert updated.is_dealer
    entry = AuditEntry.objects.filter(action="customer.updated").get()
    assert entry.before == {"is_dealer": False, "city": "Wien"}
    assert entry.after == {"is_dealer": True, "city": "Graz"}
    assert first_broken_link() is None


def test_update_customer_with_stale_version_conflicts_and_changes_nothing(agent, back_office):
    customer = _create(agent, city="Wien")
    services.update_customer(
        actor=back_office, channel=Channel.UI, customer=customer, version=1, city="Graz"
    )

    with pytest.raises(Conflict) as exc:
        services.update_customer(
            actor=agent, channel=Channel.UI, customer=customer, version=1, city="Linz"
        )

    assert "backoffice" in exc.value.message
    assert exc.value.extra["current_version"] == 2
    customer.refresh_from_db()
    assert customer.city == "Graz"
    assert customer.version == 2
    assert AuditEntry.objects.filter(action="customer.updated").count() == 1


def test_update_customer_without_changes_keeps_version(agent):
    customer = _create(agent, city="Wien")
    same = services.update_customer(
        actor=agent, channel=Channel.UI, customer=customer, version=1, city="Wien"
    )
    assert same.version == 1


def test_update_customer_refuses_unknown_field_and_wrong_role(agent, technician):
    customer = _create(agent)
    with pytest.raises(DomainError) as exc:
        services.update_customer(
            actor=agent, channel=Channel.UI, customer=customer, version=1, number="CU-1"
        )
    assert exc.value.field == "number"
    with pytest.raises(DomainError) as exc:
        services.update_customer(
            actor=agent, channel=Channel.UI, customer=customer, version=1, language="xx"
        )
    assert exc.value.field == "language"
    ok = services.update_customer(
        actor=technician, channel=Channel.UI, customer=customer, version=1, notes="x"
    )
    assert ok.version == 2
    with pytest.raises(NotAllowed):
        services.update_customer(
            actor=_quality(), channel=Channel.UI, customer=customer, version=2, notes="y"
        )


def _quality():
    from caseflow.accounts.models import Role, User

    return User.objects.create_user(username="q2", role=Role.QUALITY_MANAGER)


def test_archive_and_restore_customer(agent):
    customer = _create(agent)
    archived = services.archive_customer(actor=agent, channel=Channel.UI, customer=customer)
    assert archived.archived_at is not None
    with pytest.raises(DomainError) as exc:
        services.add_contact(actor=agent, channel=Channel.UI, customer=archived, name="X")
    assert exc.value.code == "archived"
    restored = services.restore_customer(actor=agent, channel=Channel.UI, customer=archived)
    assert restored.archived_at is None
    assert restored.version == 3
    assert first_broken_link() is None


def test_first_contact_becomes_primary_and_a_new_primary_replaces_it(agent):
    customer = CustomerFactory()
    first = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="A")
    second = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="B")
    third = services.add_contact(
        actor=agent, channel=Channel.UI, customer=customer, name="C", is_primary=True
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary, third.is_primary) == (False, False, True)
    entries = AuditEntry.objects.filter(chain=f"customers.customer:{customer.pk}")
    # three contacts added, and the first one's loss of the primary flag
    assert entries.count() == 4
    demoted = entries.get(action="customer.contact_updated")
    assert (demoted.target_id, demoted.before, demoted.after) == (
        str(first.pk),
        {"is_primary": True},
        {"is_primary": False},
    )
    assert first_broken_link() is None


def test_update_and_archive_contact(agent):
    customer = CustomerFactory()
    a = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="A")
    b = services.add_contact(actor=agent, channel=Channel.UI, customer=customer, name="B")

    services.update_contact(actor=agent, channel=Channel.UI, contact=b, is_primary=True)
    a.refresh_from_db()
    assert not a.is_primary
    with pytest.raises(DomainError) as exc:
        services.update_contact(actor=agent, channel=Channel.UI, contact=b, name=" ")
    assert exc.value.field == "name"

    archived = services.archive_contact(actor=agent, channel=Channel.UI, contact=b)
    assert archived.archived_at is not None
    assert not archived.is_primary
    with pytest.raises(DomainError):
        services.add_contact_point(
            actor=agent, channel=Channel.UI, contact=archived, kind="email", value="a@b.de"
        )


def test_contact_points_are_normalised_and_unique(agent):
    contact = ContactFactory()
    phone = services.add_contact_point(
        actor=agent, channel=Channel.UI, contact=contact, kind="fax", value="(030) 123 45 67"
    )
    mail = services.add_contact_point(
        actor=agent, channel=Channel.UI, contact=contact, kind="email", value="A.B@Example.COM"
    )
    assert phone.value == "+49301234567"
    assert mail.value == "a.b@example.com"

    with pytest.raises(DomainError) as exc:
        services.add_contact_point(
            actor=agent, channel=Channel.UI, contact=contact, kind="email", value="a.b@example.com"
        )
    assert exc.value.code == "duplicate"
    for kind, value in (("phone", "abc"), ("email", "x@"), ("pigeon", "x")):
        with pytest.raises(DomainError):
            services.add_contact_point(
                actor=agent, channel=Channel.UI, contact=contact, kind=kind, value=value
            )

    services.remove_contact_point(actor=agent, channel=Channel.UI, point=phone)
    assert list(contact.points.values_list("kind", flat=True)) == [ContactPointKind.EMAIL]
    assert first_broken_link() is None
