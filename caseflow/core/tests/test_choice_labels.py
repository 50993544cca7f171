"""`ChoiceLabels`: `get_FOO_display()` from a table per language, as Django would print it."""

from __future__ import annotations

from django.utils import translation

from caseflow.cases.models import Case, CaseStatus, CaseType
from caseflow.core import models as core_models


def test_labels_are_djangos_for_every_choice():
    for status in CaseStatus:
        assert Case(status=status).get_status_display() == str(status.label)
    for case_type in CaseType:
        assert Case(case_type=case_type).get_case_type_display() == str(case_type.label)


def test_an_unknown_value_is_shown_as_it_is():
    assert Case(status="no-such-status").get_status_display() == "no-such-status"
    assert Case(status=None).get_status_display() is None


def test_each_language_has_its_own_table():
    field = Case._meta.get_field("status")
    for language in ("en", "de", "es"):
        with translation.override(language):
            Case(status=CaseStatus.OPEN).get_status_display()
        assert (field, language) in core_models._CHOICE_LABELS
