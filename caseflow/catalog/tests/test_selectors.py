"""Read-side queries of the catalogue that other apps lean on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from caseflow.catalog import services
from caseflow.catalog.selectors import is_covered, warranty_status
from caseflow.catalog.tests.factories import RegistrationFactory, UnitFactory
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db

DAYS = [date(2021, 12, 31), date(2022, 1, 1), date(2022, 1, 2), date(2023, 6, 1),
        date(2024, 12, 31), date(2025, 1, 1)]  # fmt: skip


def agrees(unit) -> list[bool]:
    """is_covered on every day of DAYS, checked against warranty_status's answer."""
    answers = [is_covered(unit, day) for day in DAYS]
    assert answers == [warranty_status(unit, day).covered for day in DAYS]
    return answers


def test_is_covered_answers_like_warranty_status_in_one_query(
    back_office, django_assert_num_queries
):
    registration = RegistrationFactory(
        purchased_on=date(2020, 1, 1), registered_on=date(2020, 1, 2),
        warranty_ends_on=date(2022, 1, 1),
    )  # fmt: skip
    unit = registration.unit
    with django_assert_num_queries(1):
        is_covered(unit, DAYS[0])
    assert agrees(unit) == [True, True, False, False, False, False]

    contract = services.create_service_contract(
        actor=back_office, channel=Channel.UI, customer=registration.customer, units=[unit],
        level="premium", starts_on=date(2023, 1, 1), ends_on=date(2024, 12, 31),
    )  # fmt: skip
    assert agrees(unit) == [True, True, False, True, True, False]

    services.archive_service_contract(actor=back_office, channel=Channel.UI, contract=contract)
    assert agrees(unit) == [True, True, False, False, False, False]


def test_an_ended_registration_and_a_unit_never_registered_are_not_covered():
    ended = RegistrationFactory(
        warranty_ends_on=date(2030, 1, 1), ended_at=timezone.now() - timedelta(days=1)
    )
    assert agrees(ended.unit) == [False] * len(DAYS)
    assert agrees(UnitFactory()) == [False] * len(DAYS)
