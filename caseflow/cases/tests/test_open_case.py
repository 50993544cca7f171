import re
from datetime import timedelta

import pytest
from django.utils import timezone

from caseflow.cases import services
from caseflow.cases.models import Case, CaseStatus, CaseType, TimelineEvent
from caseflow.catalog.models import ContractLevel, ServiceContract
from caseflow.core.audit import first_broken_link
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db


def test_opening_numbers_the_case_and_writes_event_and_audit(open_case, agent):
    first = open_case()
    second = open_case(subject="Second")
    year = timezone.localdate().year
    assert first.number == f"C-{year}-000001"
    assert second.number == f"C-{year}-000002"
    assert first.status == CaseStatus.NEW
    assert first.priority.code == "P3"  # the default
    event = TimelineEvent.objects.get(case=first)
    assert event.event_type.code == "created"
    assert event.actor == agent
    entry = AuditEntry.objects.get(chain=f"cases.case:{first.pk}")
    assert entry.action == "case.opened"
    assert entry.after["number"] == first.number
    assert first_broken_link() is None


def test_case_type_is_suggested_from_the_warranty(
    open_case, unit_in_warranty, unit_out_of_warranty
):
    in_warranty = open_case(unit=unit_in_warranty)
    out_of_warranty = open_case(unit=unit_out_of_warranty)
    no_unit = open_case()
    assert (in_warranty.case_type, in_warranty.suggested_case_type) == ("warranty", "warranty")
    assert in_warranty.product == unit_in_warranty.product
    assert out_of_warranty.case_type == CaseType.BILLABLE
    assert no_unit.case_type == CaseType.BILLABLE


def test_a_service_contract_extends_the_cover(open_case, customer, unit_out_of_warranty):
    today = timezone.localdate()
    contract = ServiceContract.objects.create(
        number="SC-1",
        customer=customer,
        level=ContractLevel.PREMIUM,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=355),
    )
    contract.units.add(unit_out_of_warranty)
    assert open_case(unit=unit_out_of_warranty).case_type == CaseType.WARRANTY


def test_cover_is_judged_on_the_received_date(open_case, unit_out_of_warranty):
    # bought 1000 days ago with 730 days of warranty: covered 400 days ago, not today
    then = open_case(unit=unit_out_of_warranty, received_at=timezone.now() - timedelta(days=400))
    now = open_case(unit=unit_out_of_warranty)
    assert then.suggested_case_type == CaseType.WARRANTY
    assert now.suggested_case_type == CaseType.BILLABLE


def test_overriding_the_suggestion_needs_a_reason(open_case, unit_in_warranty):
    with pytest.raises(DomainError) as exc:
        open_case(unit=unit_in_warranty, case_type=CaseType.BILLABLE)
    assert exc.value.field == "case_type_reason"
    assert Case.objects.count() == 0
    case = open_case(
        unit=unit_in_warranty, case_type=CaseType.BILLABLE, case_type_reason="Water damage"
    )
    assert (case.case_type, case.suggested_case_type) == ("billable", "warranty")
    assert case.case_type_reason == "Water damage"


def test_courtesy_is_a_team_leads_decision(open_case, unit_out_of_warranty, team_lead):
    with pytest.raises(NotAllowed):
        open_case(unit=unit_out_of_warranty, case_type="courtesy", case_type_reason="Loyal")
    case = open_case(
        actor=team_lead, unit=unit_out_of_warranty, case_type="courtesy", case_type_reason="Loyal"
    )
    assert case.case_type == CaseType.COURTESY


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"channel": Channel.API}, "channel"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_at"),
        ({"subject": "x" * 201}, "subject"),
        ({"symptom": "x" * 20001}, "symptom"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(open_case, overrides, field):
    with pytest.raises(DomainError) as exc:
        open_case(**overrides)
    assert exc.value.field == field
    assert Case.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_links_must_fit_together(open_case, other_customer, unit_in_warranty, spare_part):
    other_contact = other_customer.contacts.create(name="Someone else")
    with pytest.raises(DomainError) as exc:
        open_case(contact=other_contact)
    assert exc.value.field == "contact_id"
    with pytest.raises(DomainError) as exc:
        open_case(unit=unit_in_warranty, product=spare_part)
    assert exc.value.field == "product_id"
    assert Case.objects.count() == 0


def test_an_archived_customer_gets_no_new_case(open_case, customer):
    customer.archived_at = timezone.now()
    customer.save()
    with pytest.raises(DomainError) as exc:
        open_case()
    assert exc.value.code == "archived"


def test_reason_codes_specific_must_belong_to_general(open_case, codes):
    with pytest.raises(DomainError) as exc:
        open_case(reason_general=codes["HARD"], reason_specific=codes["SOFT-BUG"])
    assert exc.value.code == "code_mismatch"
    assert exc.value.field == "reason_specific_id"
    with pytest.raises(DomainError) as exc:
        open_case(reason_general=codes["ADV"])  # a resolution code as a reason
    assert exc.value.field == "reason_general_id"
    case = open_case(reason_general=codes["HARD"], reason_specific=codes["HARD-DEF"])
    assert case.reason_specific.code == "HARD-DEF"


def test_roles_that_do_not_open_cases(open_case, quality_manager, back_office):
    for actor in (quality_manager, back_office):
        with pytest.raises(NotAllowed):
            open_case(actor=actor)
    assert Case.objects.count() == 0


def test_assigning_someone_else_on_opening_needs_the_right(
    open_case, technician, agent, colleagues
):
    case = open_case(owner=technician)  # agents may assign (within their teams)
    assert case.owner == technician
    with pytest.raises(NotAllowed):
        open_case(actor=technician, owner=agent)
    assert open_case(actor=technician, owner=technician).owner == technician


def test_case_numbers_look_right(open_case):
    assert re.fullmatch(r"C-\d{4}-\d{6}", open_case().number)


def test_system_opens_cases_too(open_case):
    case = services.open_case(
        actor=None, channel=Channel.EMAIL, customer=open_case().customer, subject="By mail"
    )
    assert AuditEntry.objects.filter(chain=f"cases.case:{case.pk}").get().actor_label == "system"
