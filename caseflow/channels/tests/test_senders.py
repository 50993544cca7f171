"""Linking a message to its sender: match, open a case, adopt an unknown sender."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow.accounts.models import Role, User
from caseflow.cases.models import Case, TimelineEvent
from caseflow.cases.services import open_case as open_case_service
from caseflow.catalog.tests.factories import SalesOrderFactory
from caseflow.channels import senders
from caseflow.channels.models import UnknownSender
from caseflow.core.audit import AuditEntry
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.customers.models import ContactPoint, ContactPointKind, Customer
from caseflow.customers.tests.factories import ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _point(customer: Customer, kind: str, value: str):
    return ContactPointFactory(contact__customer=customer, kind=kind, value=value)


@pytest.fixture
def erika() -> Customer:
    customer = CustomerFactory(name="Erika Muster")
    _point(customer, ContactPointKind.EMAIL, "erika@example.org")
    _point(customer, ContactPointKind.MOBILE, "+4915112345678")
    return customer


def test_match_by_email_ignores_case_and_by_phone_in_any_notation(erika):
    by_mail = senders.match(email="  Erika@Example.ORG ")
    assert by_mail.customer == erika
    assert by_mail.contact.customer_id == erika.pk
    assert senders.match(phone="0151 1234-5678").customer == erika  # German national notation
    assert senders.match(phone="+49 151 12345678").customer == erika
    assert senders.match(email="nobody@example.org") == senders.NO_MATCH
    assert senders.match(email="not an address", phone="") == senders.NO_MATCH


def test_match_skips_archived_customers_and_prefers_the_latest_case(erika, agent):
    from django.utils import timezone

    twin = CustomerFactory(name="Erika's company")
    _point(twin, ContactPointKind.EMAIL, "erika@example.org")
    open_case_service(actor=agent, channel="phone", customer=twin, subject="Older")
    assert senders.match(email="erika@example.org").customer == twin
    twin.archived_at = timezone.now()
    twin.save(update_fields=["archived_at"])
    assert senders.match(email="erika@example.org").customer == erika


def test_a_known_sender_gets_the_case_directly(erika):
    case = senders.open_case(channel="email", subject="Pump loud", email="ERIKA@example.org")
    assert case.customer == erika
    assert case.contact is not None
    assert not senders.is_unknown(case)
    assert senders.sender_of(case) is None
    assert not UnknownSender.objects.exists()


def test_an_unknown_sender_lands_on_the_placeholder_and_is_remembered():
    case = senders.open_case(
        channel="sms", subject="Help", name="Max", phone="0170 1234567", language="de"
    )
    assert senders.is_unknown(case)
    sender = senders.sender_of(case)
    assert (sender.name, sender.phone, sender.language) == ("Max", "+491701234567", "de")
    # One placeholder for everybody, created once with its audit entry.
    again = senders.open_case(channel="email", subject="Other", email="x@example.net")
    assert again.customer_id == case.customer_id
    assert Customer.objects.filter(number=senders.UNKNOWN_NUMBER).count() == 1
    assert (
        AuditEntry.objects.filter(action="customer.created", target_id=case.customer_id).count()
        == 1
    )


def test_the_placeholder_is_made_like_every_customer():
    """Through the customer service: audited by the system with all its fields, and in the
    name index, so a name lookup and `verify_audit` treat it like any customer."""
    from django.core.management import call_command

    from caseflow.customers.models import NameWord

    case = senders.open_case(channel="email", subject="Help", email="x@example.net")
    placeholder = case.customer
    entry = AuditEntry.objects.get(chain=f"customers.customer:{placeholder.pk}")
    assert (entry.action, entry.actor_id, entry.channel) == ("customer.created", None, "email")
    assert entry.after["number"] == senders.UNKNOWN_NUMBER
    assert entry.after["name"] == "Unknown senders" and "notes" in entry.after
    words = set(NameWord.objects.filter(customer=placeholder).values_list("word", flat=True))
    assert {"unknown", "senders"} <= words
    call_command("verify_audit")


def test_the_orders_customer_wins_over_the_senders_match(erika):
    dealer_customer = CustomerFactory(name="Café Rot")
    order = SalesOrderFactory(customer=dealer_customer)
    case = senders.open_case(
        channel="email", subject="Order question", email="erika@example.org", sales_order=order
    )
    assert case.customer == dealer_customer
    assert case.contact is None
    assert case.sales_order == order


def test_adopt_creates_a_customer_from_the_message_and_moves_the_case(agent):
    case = senders.open_case(
        channel="email", subject="Grinder", name="Jana Nowak", email="jana@example.net"
    )
    moved = senders.adopt(actor=agent, channel="ui", case=case, version=case.version)
    assert moved.customer.name == "Jana Nowak"
    assert moved.contact.customer_id == moved.customer_id
    assert ContactPoint.objects.filter(
        customer=moved.customer, value="jana@example.net", kind=ContactPointKind.EMAIL
    ).exists()
    assert senders.sender_of(moved) is None
    assert UnknownSender.objects.get(case=case).adopted_by == agent
    assert AuditEntry.objects.filter(action="case.moved", target_id=case.pk).exists()
    assert TimelineEvent.objects.filter(case=case, event_type__code="field_changed").exists()
    # The next message from that address finds the new customer.
    assert senders.match(email="JANA@example.net").customer == moved.customer
    with pytest.raises(DomainError):
        senders.adopt(actor=agent, channel="ui", case=moved)


def test_adopt_into_an_existing_customer_adds_the_sender_as_contact(agent, erika):
    case = senders.open_case(channel="email", subject="Hi", name="Assistant", email="a@example.org")
    moved = senders.adopt(actor=agent, channel="ui", case=case, customer=erika)
    assert moved.customer == erika
    assert moved.contact.name == "Assistant"
    assert senders.match(email="a@example.org").customer == erika


def test_adopt_refuses_stale_versions_roles_and_the_placeholder_itself(agent, erika):
    case = senders.open_case(channel="email", subject="Hi", email="b@example.org")
    with pytest.raises(DomainError):
        senders.adopt(actor=agent, channel="ui", case=case, version=case.version + 7)
    with pytest.raises(DomainError):
        senders.adopt(actor=agent, channel="ui", case=case, customer=case.customer)
    quality = User.objects.create_user(username="q", password="x", role=Role.QUALITY_MANAGER)
    with pytest.raises(NotAllowed):
        senders.adopt(actor=quality, channel="ui", case=case)
    case.refresh_from_db()
    assert senders.is_unknown(case)
    assert senders.sender_of(case) is not None


def test_the_desk_shows_the_banner_and_adopts_in_one_click(client, agent):
    case = senders.open_case(channel="web", subject="Leak", name="Ola", email="ola@example.com")
    client.force_login(agent)
    url = reverse("desk:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Unknown contact" in page and "ola@example.com" in page
    response = client.post(
        reverse("channels:adopt_sender", args=[case.pk]), {"version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.customer.name == "Ola"
    page = client.get(url).content.decode()
    assert "Unknown contact" not in page


def test_the_desk_names_a_customer_that_does_not_exist_and_changes_nothing(client, agent, erika):
    case = senders.open_case(channel="web", subject="Leak", email="p@example.com")
    client.force_login(agent)
    adopt = reverse("channels:adopt_sender", args=[case.pk])
    response = client.post(adopt, {"version": case.version, "customer": "CU-999999"}, follow=True)
    assert "No customer has the number" in response.content.decode()
    case.refresh_from_db()
    assert senders.is_unknown(case)
    response = client.post(adopt, {"version": case.version, "customer": "erika@example.org"})
    case.refresh_from_db()
    assert case.customer == erika


def test_roles_that_may_not_update_see_no_buttons_and_are_refused(client, erika):
    case = senders.open_case(channel="web", subject="Leak", email="r@example.com")
    quality = User.objects.create_user(username="q", password="x", role=Role.QUALITY_MANAGER)
    client.force_login(quality)
    page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "Unknown contact" in page
    assert "Create customer from this message" not in page
    response = client.post(reverse("channels:adopt_sender", args=[case.pk]), {})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).customer.number == senders.UNKNOWN_NUMBER
