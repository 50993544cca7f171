from __future__ import annotations

import pytest

from caseflow.core.errors import NotAllowed
from caseflow.core.models import Channel
from caseflow.customers import selectors, services
from caseflow.customers.tests.factories import CustomerFactory, DealerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(agent):
    return services.create_customer(
        actor=agent,
        channel=Channel.PHONE,
        kind="person",
        name="Max Mustermann",
        phones=["+49 171 1234567"],
        emails=["Max@Example.de"],
    )


@pytest.mark.parametrize(
    "notation",
    [
        "0171 1234567",
        "+49 171 1234567",
        "0049-171-1234567",
        "(0171) 123 45 67",
        "+491711234567",
    ],
)
def test_customers_by_phone_in_any_notation(caller, notation, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = list(selectors.customers_by_phone(notation))
    assert found == [caller]


def test_customers_by_phone_ignores_garbage_and_archived_contacts(caller, agent):
    assert list(selectors.customers_by_phone("hello")) == []
    assert list(selectors.customers_by_phone("0171 7654321")) == []
    services.archive_contact(actor=agent, channel=Channel.UI, contact=caller.contacts.get())
    assert list(selectors.customers_by_phone("0171 1234567")) == []


def test_customers_by_email_is_case_insensitive(caller):
    assert list(selectors.customers_by_email(" MAX@example.DE ")) == [caller]
    assert list(selectors.customers_by_email("nobody@example.de")) == []
    assert list(selectors.customers_by_email("")) == []


def test_archived_customers_are_left_out_unless_asked(caller, agent):
    services.archive_customer(actor=agent, channel=Channel.UI, customer=caller)
    assert list(selectors.customers_by_phone("0171 1234567")) == []
    assert list(selectors.customers_by_phone("0171 1234567", include_archived=True)) == [caller]


def test_customer_by_number(caller):
    assert selectors.customer_by_number(caller.number.lower()) == caller
    assert selectors.customer_by_number("CU-999999") is None
    assert selectors.customer_by_number("") is None


def test_customer_list_filters(agent):
    a = CustomerFactory(name="Alpha Kaffee")
    b = DealerFactory(name="Beta Handel")
    c = CustomerFactory(name="Gamma Kaffee")
    services.archive_customer(actor=agent, channel=Channel.UI, customer=c)

    assert list(selectors.customer_list(viewer=agent)) == [a, b]
    assert list(selectors.customer_list(viewer=agent, q="kaffee")) == [a]
    assert list(selectors.customer_list(viewer=agent, q="kaffee", include_archived=True)) == [
        a,
        c,
    ]
    assert list(selectors.customer_list(viewer=agent, is_dealer=True)) == [b]
    assert list(selectors.customer_list(viewer=agent, q=b.number.lower())) == [b]


def test_reads_need_customer_view():
    from caseflow.accounts.models import User

    nobody = User.objects.create_user(username="x", role="agent", is_active=False)
    with pytest.raises(NotAllowed):
        selectors.customers_visible_to(nobody)


def test_customer_ids_reachable_at_read_like_the_querysets(
    caller, agent, django_assert_num_queries
):
    other = services.create_customer(
        actor=agent, channel=Channel.UI, kind="person", name="Anna Mustermann",
        phones=["0171 1234567"],
    )  # fmt: skip
    with django_assert_num_queries(1):
        assert selectors.customer_ids_reachable_at(phone="+49 (171) 123-4567") == [
            other.pk,  # in name order
            caller.pk,
        ]
    assert selectors.customer_ids_reachable_at(phone="0171 1234567", limit=1) == [other.pk]
    assert selectors.customer_ids_reachable_at(email=" MAX@example.DE ") == [caller.pk]
    for garbage in ({"phone": "hello"}, {"email": "no-at-sign"}, {"phone": ""}, {}):
        assert selectors.customer_ids_reachable_at(**garbage) == []
    services.archive_customer(actor=agent, channel=Channel.UI, customer=other)
    services.archive_contact(actor=agent, channel=Channel.UI, contact=caller.contacts.get())
    assert selectors.customer_ids_reachable_at(phone="0171 1234567") == []
    assert selectors.customer_ids_reachable_at(email="max@example.de") == []
