"""Who may give a case to whom: `case.assign` within one's own teams, `case.assign_any`
(team leads, administrators) to anyone who may own cases."""

from __future__ import annotations

import pytest
from django.utils import timezone

from caseflow.accounts.models import Role, Team, User
from caseflow.cases import services
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db
UI = Channel.UI


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(username="outsider", role=Role.TECHNICIAN)


def test_an_agent_gives_a_case_to_a_colleague_of_one_of_his_teams(
    open_case, agent, technician, colleagues
):
    case = services.assign_case(actor=agent, channel=UI, case=open_case(), owner=technician)
    assert case.owner == technician


def test_an_agent_cannot_give_a_case_outside_his_teams(open_case, agent, outsider, colleagues):
    case = open_case()
    entries = AuditEntry.objects.count()

    with pytest.raises(NotAllowed) as exc:
        services.assign_case(actor=agent, channel=UI, case=case, owner=outsider)

    assert exc.value.field == "owner_id"
    assert "case.assign_any" in exc.value.message
    case.refresh_from_db()
    assert case.owner is None and case.version == 1
    assert AuditEntry.objects.count() == entries
    with pytest.raises(NotAllowed):
        open_case(owner=outsider)


def test_an_archived_team_makes_no_colleagues(open_case, agent, technician, colleagues):
    Team.objects.filter(pk=colleagues.pk).update(archived_at=timezone.now())
    with pytest.raises(NotAllowed):
        services.assign_case(actor=agent, channel=UI, case=open_case(), owner=technician)


def test_a_team_lead_gives_a_case_to_anyone_who_may_own_cases(
    open_case, team_lead, outsider, quality_manager
):
    case = services.assign_case(actor=team_lead, channel=UI, case=open_case(), owner=outsider)
    assert case.owner == outsider
    with pytest.raises(DomainError) as exc:  # the owner rule still holds
        services.assign_case(actor=team_lead, channel=UI, case=case, owner=quality_manager)
    assert exc.value.field == "owner_id" and not isinstance(exc.value, NotAllowed)


def test_taking_unassigning_and_handing_to_a_team_need_no_colleague(open_case, agent, technician):
    workshop = Team.objects.create(name="Workshop")  # agent is not a member
    case = services.assign_case(actor=technician, channel=UI, case=open_case(), owner=technician)
    case = services.assign_case(actor=agent, channel=UI, case=case, owner=None)
    case = services.assign_case(actor=agent, channel=UI, case=case, owner=agent, team=workshop)
    assert (case.owner, case.team) == (agent, workshop)


def test_a_technician_may_not_assign_even_a_colleague(open_case, agent, technician, colleagues):
    with pytest.raises(NotAllowed) as exc:
        services.assign_case(actor=technician, channel=UI, case=open_case(), owner=agent)
    assert exc.value.field is None  # the role, not the choice
