"""Reason codes (general and specific, source 001) wherever a case gets them: opened,
edited, resolved. The services decide: a specific code belongs to its general one, codes
are of the right kind, archived codes are refused."""

from __future__ import annotations

import pytest

from caseflow.cases import services
from caseflow.cases.models import Case, Code, TimelineEvent
from caseflow.core.errors import DomainError
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db

UI = Channel.UI


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _archive(code: Code) -> Code:
    Code.objects.filter(pk=code.pk).update(active=False)
    code.refresh_from_db()
    return code


def _resolve(agent, case: Case, codes, **extra) -> Case:
    return services.resolve_case(
        actor=agent,
        channel=UI,
        case=case,
        resolution_general=codes["FIX"],
        resolution_specific=codes["FIX-PART"],
        **extra,
    )


def test_resolving_sets_the_reason_codes_on_the_timeline_and_in_the_audit(open_case, agent, codes):
    case = open_case()

    _resolve(agent, case, codes, reason_general=codes["HARD"], reason_specific=codes["HARD-DEF"])

    case = _fresh(case)
    assert (case.reason_general, case.reason_specific) == (codes["HARD"], codes["HARD-DEF"])
    event = TimelineEvent.objects.get(case=case, event_type__code="resolved")
    assert event.data["reason_general"] == "HARD"
    assert event.data["reason_specific"] == "HARD-DEF"
    entry = AuditEntry.objects.filter(action="case.resolved").latest("pk")
    assert entry.before["reason_general"] is None
    assert entry.after["reason_general"] == codes["HARD"].pk


def test_resolving_without_reason_codes_keeps_the_cases_own(open_case, agent, codes):
    case = open_case(reason_general=codes["USER"], reason_specific=codes["USER-OP"])

    _resolve(agent, case, codes)

    case = _fresh(case)
    assert (case.reason_general, case.reason_specific) == (codes["USER"], codes["USER-OP"])
    event = TimelineEvent.objects.get(case=case, event_type__code="resolved")
    assert "reason_general" not in event.data


@pytest.mark.parametrize(
    ("general", "specific", "field", "error"),
    [
        ("HARD", "SOFT-BUG", "reason_specific_id", "code_mismatch"),  # under another general
        ("ADV", None, "reason_general_id", "code_mismatch"),  # a resolution code as a reason
        ("HARD-DEF", None, "reason_general_id", "code_mismatch"),  # a specific one as general
        (None, "HARD-DEF", "reason_general_id", "code"),  # a specific one without general
    ],
)
def test_resolving_with_wrong_reason_codes_is_refused_and_changes_nothing(
    open_case, agent, codes, general, specific, field, error
):
    case = open_case()
    events, audits = TimelineEvent.objects.count(), AuditEntry.objects.count()

    with pytest.raises(DomainError) as exc:
        _resolve(
            agent,
            case,
            codes,
            reason_general=codes.get(general),
            reason_specific=codes.get(specific),
        )

    assert (exc.value.field, exc.value.code) == (field, error)
    fresh = _fresh(case)
    assert (fresh.status, fresh.version, fresh.reason_general_id) == ("new", case.version, None)
    assert (TimelineEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_archived_reason_codes_are_refused_everywhere(open_case, agent, codes):
    case = open_case()
    _archive(codes["HARD-TRANS"])
    _archive(codes["SOFT"])

    with pytest.raises(DomainError) as exc:
        open_case(reason_general=codes["HARD"], reason_specific=codes["HARD-TRANS"])
    assert exc.value.field == "reason_specific_id"
    with pytest.raises(DomainError) as exc:
        services.update_case(
            actor=agent, channel=UI, case=case, version=case.version, reason_general=codes["SOFT"]
        )
    assert exc.value.field == "reason_general_id"
    with pytest.raises(DomainError) as exc:
        _resolve(
            agent, case, codes, reason_general=codes["HARD"], reason_specific=codes["HARD-TRANS"]
        )
    assert exc.value.field == "reason_specific_id"
    assert _fresh(case).reason_general_id is None


def test_editing_the_reason_checks_the_pair(open_case, agent, codes):
    case = open_case(reason_general=codes["HARD"], reason_specific=codes["HARD-DEF"])

    with pytest.raises(DomainError) as exc:
        services.update_case(
            actor=agent,
            channel=UI,
            case=case,
            version=case.version,
            reason_general=codes["SOFT"],  # HARD-DEF stays, and no longer belongs
        )
    assert exc.value.field == "reason_specific_id"

    case = services.update_case(
        actor=agent,
        channel=UI,
        case=case,
        version=case.version,
        reason_general=codes["SOFT"],
        reason_specific=codes["SOFT-BUG"],
    )
    assert (_fresh(case).reason_general, _fresh(case).reason_specific) == (
        codes["SOFT"],
        codes["SOFT-BUG"],
    )


def test_a_case_whose_general_reason_was_archived_can_still_be_resolved(open_case, agent, codes):
    """Codes already on a case stay valid for it: only newly chosen ones are checked."""
    case = open_case(reason_general=codes["CONF"], reason_specific=codes["CONF-NET"])
    _archive(codes["CONF"])

    _resolve(agent, case, codes)

    assert _fresh(case).status == "resolved"
