"""seed_demo builds a small company through the services: counts, every case status,
timelines and audit chains that verify, idempotence and topping up with --cases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from caseflow.accounts.models import Role, User
from caseflow.cases.models import Case, CaseStatus, TimelineEvent
from caseflow.catalog.models import Product, Registration, SalesOrder, Unit
from caseflow.channels.models import UnknownSender
from caseflow.core.models import AuditChainHead, AuditEntry
from caseflow.customers import services as customer_services
from caseflow.customers.models import ContactPoint, Customer
from caseflow.demo.mail import OPENED_SUBJECTS

pytestmark = pytest.mark.django_db

SMALL = {"customers": 12, "units": 20, "cases": 14}


def company_cases():
    """The company's cases, without those the demo's e-mails and SMS opened afterwards."""
    return Case.objects.exclude(subject__in=OPENED_SUBJECTS)


def company_customers():
    """The company's customers, without the channels' placeholder "Unknown senders"."""
    return Customer.objects.exclude(pk__in=UnknownSender.objects.values("case__customer"))


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_a_small_demo_company_is_built_through_the_services():
    output = seed(**SMALL)

    assert "demo data: 12 customers, 20 units, 14 cases" in output
    assert company_customers().count() == 12
    assert Customer.objects.filter(is_dealer=True).exists()
    assert Product.objects.count() == 30
    assert Unit.objects.count() == 20
    assert SalesOrder.objects.exists()
    assert Registration.objects.exists()
    assert company_cases().count() == 14
    # every status occurs, and the database constraints held for each of them
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    # phone numbers typed in local notation are stored in E.164
    phones = ContactPoint.objects.filter(kind__in=("phone", "mobile"))
    assert phones.exists()
    assert all(value.startswith(("+49", "+34")) for value in phones.values_list("value", flat=True))


def test_every_case_has_its_history_and_the_audit_trail_verifies():
    seed(**SMALL)

    for case in Case.objects.all():
        assert case.events.filter(event_type__code="created").exists()
        assert AuditChainHead.objects.filter(chain=f"cases.case:{case.pk}").exists()
        assert case.received_at <= timezone.now()
    done = Case.objects.filter(status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED))
    assert all(case.resolved_at >= case.received_at for case in done)
    assert TimelineEvent.objects.filter(event_type__code__in=("call_in", "email_out")).exists()
    # the company's 12 and the channels' placeholder "Unknown senders" (demo mail)
    assert AuditEntry.objects.filter(action="customer.created").count() == 13
    assert "audit chain intact" in verify()


def test_staff_of_every_role_can_log_in_with_the_demo_password():
    seed(customers=6, units=0, cases=0)

    for username, role in [
        ("agent1", Role.AGENT),
        ("tech1", Role.TECHNICIAN),
        ("lead1", Role.TEAM_LEAD),
        ("backoffice1", Role.BACK_OFFICE),
        ("quality1", Role.QUALITY_MANAGER),
    ]:
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        assert user.role == role


def test_a_second_run_changes_nothing_and_cases_n_tops_up():
    seed(**SMALL)
    entries = AuditEntry.objects.count()

    assert "nothing to do" in seed(**SMALL)
    assert (company_cases().count(), AuditEntry.objects.count()) == (14, entries)

    seed(cases=20)
    assert Case.objects.count() == 20  # in all, with those the demo mail opened
    assert company_customers().count() == 12
    assert User.objects.filter(username="agent1").count() == 1
    assert "audit chain intact" in verify()


def test_it_refuses_a_database_with_other_data():
    customer_services.create_customer(
        actor=None, channel="admin", kind="person", name="Real Customer", country="DE"
    )
    with pytest.raises(CommandError, match="only fills an empty database"):
        seed(**SMALL)
    assert not Product.objects.exists()


def test_negative_numbers_are_refused():
    with pytest.raises(CommandError, match="--cases cannot be negative"):
        seed(cases=-1)
