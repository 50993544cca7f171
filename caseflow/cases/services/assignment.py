"""Giving a case to an owner and a team."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import require
from caseflow.cases import events
from caseflow.cases import status as rules
from caseflow.cases.integrity import recorded
from caseflow.cases.models import Case
from caseflow.cases.services._checks import _check_owner, _may_assign
from caseflow.cases.services._steps import _bump, _lock, _system_event
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError


@transaction.atomic
def assign_case(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    owner: User | None,
    team: Team | None = None,
    version: int | None = None,
) -> Case:
    """Give the case to `owner` (and/or `team`). Anyone working cases may take one himself."""
    if owner is None or actor is None or owner.pk != actor.pk:
        _may_assign(actor, owner)
    else:
        require(actor, "case.update")
    _check_owner(owner)
    if team is not None and team.archived_at is not None:
        raise DomainError(_("This team is archived."), field="team_id")
    case = _lock(case, version)
    rules.refuse_closed(case)
    before: dict[str, int | None] = {"owner": case.owner_id, "team": case.team_id}
    after: dict[str, int | None] = {
        "owner": owner.pk if owner else None,
        "team": team.pk if team else case.team_id,
    }
    if before == after:
        return case
    case.owner = owner
    if team is not None:
        case.team = team
    _bump(case, ["owner", "team"])
    event = _system_event(
        case, "assigned", actor=actor, channel=channel, owner=after["owner"], team=after["team"]
    )
    audit(
        actor=actor,
        channel=channel,
        action="case.assigned",
        target=case,
        before=before,
        after={**after, **recorded(event)},
    )
    events.publish(
        events.ASSIGNED,
        case,
        actor=actor,
        channel=channel,
        owner=after["owner"],
        team=after["team"],
    )
    return case
