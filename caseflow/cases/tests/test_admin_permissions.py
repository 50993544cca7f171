"""Roles decide the admin pages of the models they govern (accounts.permissions): codes need
`code.manage`, teams `team.manage`, the audit trail `audit.view`, cases `case.view`; a Django
permission from a group opens none of them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from caseflow.accounts.models import Role, Team, User
from caseflow.cases.models import Code

pytestmark = pytest.mark.django_db


def _staff(role: str, name: str) -> User:
    return User.objects.create_user(username=name, password="pw", role=role, is_staff=True)


@pytest.fixture
def as_role(client):
    def login(role: str) -> object:
        client.force_login(_staff(role, f"staff-{role}"))
        return client

    return login


def _status(client, name: str, *args) -> int:
    return client.get(reverse(f"admin:{name}", args=args)).status_code


@pytest.mark.parametrize(
    ("role", "codes", "teams", "audit", "cases", "users"),
    [
        (Role.AGENT, 403, 403, 403, 200, 403),
        (Role.TECHNICIAN, 403, 403, 403, 200, 403),
        (Role.TEAM_LEAD, 200, 200, 403, 200, 403),
        (Role.BACK_OFFICE, 403, 403, 403, 200, 403),
        (Role.QUALITY_MANAGER, 403, 403, 200, 200, 403),
        (Role.ADMINISTRATOR, 200, 200, 200, 200, 200),
    ],
)
def test_each_role_sees_what_its_capabilities_allow(
    as_role, role, codes, teams, audit, cases, users
):
    client = as_role(role)
    assert _status(client, "cases_code_changelist") == codes
    assert _status(client, "accounts_team_changelist") == teams
    assert _status(client, "core_auditentry_changelist") == audit
    assert _status(client, "cases_case_changelist") == cases
    assert _status(client, "accounts_user_changelist") == users


def test_a_team_lead_changes_a_code_and_it_is_audited(as_role):
    from caseflow.core.models import AuditEntry

    client = as_role(Role.TEAM_LEAD)
    code = Code.objects.create(kind="reason", code="NOISE", name="Noise")
    url = reverse("admin:cases_code_change", args=[code.pk])
    data = {
        "kind": "reason",
        "code": "NOISE",
        "name_en": "Loud noise",
        "name_de": "Lautes Geräusch",
        "active": "on",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }

    assert client.post(url, data).status_code == 302

    entry = AuditEntry.objects.get(chain=f"cases.code:{code.pk}")
    assert (entry.action, entry.before, entry.after) == (
        "code.updated",
        {"name_en": "Noise", "name_de": None},
        {"name_en": "Loud noise", "name_de": "Lautes Geräusch"},
    )


def test_an_agent_cannot_change_a_code_or_a_team(as_role):
    client = as_role(Role.AGENT)
    code = Code.objects.create(kind="reason", code="NOISE", name="Noise")
    team = Team.objects.create(name="Espresso")
    url = reverse("admin:cases_code_change", args=[code.pk])
    assert client.post(url, {"name": "Forged"}).status_code == 403
    url = reverse("admin:accounts_team_change", args=[team.pk])
    assert client.post(url, {"name": "Forged"}).status_code == 403
    assert Code.objects.get(pk=code.pk).name == "Noise"


def test_a_group_permission_does_not_open_what_a_role_governs(client):
    agent = _staff(Role.AGENT, "sneaky")
    group = Group.objects.create(name="Code editors")
    group.permissions.add(*Permission.objects.filter(codename__endswith="_code"))
    agent.groups.add(group)
    client.force_login(agent)

    assert not User.objects.get(pk=agent.pk).has_perm("cases.change_code")
    assert _status(client, "cases_code_changelist") == 403


def test_a_group_permission_still_opens_other_models(client):
    agent = _staff(Role.AGENT, "regional")
    group = Group.objects.create(name="Regions")
    group.permissions.add(Permission.objects.get(codename="view_region"))
    agent.groups.add(group)
    client.force_login(agent)

    assert _status(client, "customers_region_changelist") == 200


def test_staff_without_a_live_account_see_nothing(client):
    former = _staff(Role.ADMINISTRATOR, "former")
    assert former.has_perm("cases.view_case")
    former.is_active = False
    assert not former.has_perm("cases.view_case")
    assert not former.has_module_perms("cases")


def test_the_case_admin_shows_the_cases_the_desk_would(as_role, open_case, monkeypatch):
    from caseflow.cases import admin as case_admin
    from caseflow.cases.models import Case

    shown, hidden = open_case(subject="Visible"), open_case(subject="Hidden")
    monkeypatch.setattr(
        case_admin, "cases_visible_to", lambda viewer: Case.objects.filter(pk=shown.pk)
    )
    client = as_role(Role.AGENT)

    page = client.get(reverse("admin:cases_case_changelist")).content.decode()

    assert "Visible" in page and "Hidden" not in page
    assert _status(client, "cases_case_change", hidden.pk) == 302  # "does not exist"
    assert client.post(reverse("admin:cases_case_change", args=[shown.pk])).status_code == 403
