"""Forms of the case screens: the list's filters, opening a case, and every action on a case.

Forms parse and check the shape of the input; the business rules stay in `caseflow.cases`
(the services, and the status rules in `cases.status`, which the status form asks what to
offer), whose `DomainError`s the views turn into form errors. Choice lists (priorities,
owners, teams, codes) are loaded once per request by the view and handed in, so a form costs
no query of its own.

One module per concern: `listing` (filters, saved views), `opening` (a new case), `actions`
(the forms of the actions on a case), and `fields` (what they share). Import from here.
"""

from caseflow.desk.forms.cases.actions import (
    AssignForm,
    CloseForm,
    DetailsForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    SupplyForm,
    TakeForm,
)
from caseflow.desk.forms.cases.fields import Choices, CodeField, code_options, specific_codes
from caseflow.desk.forms.cases.listing import (
    OWNER_ME,
    OWNER_NONE,
    SAVED_VIEWS,
    SORTS,
    CaseFilterForm,
)
from caseflow.desk.forms.cases.opening import CaseOpenForm

__all__ = [
    "OWNER_ME",
    "OWNER_NONE",
    "SAVED_VIEWS",
    "SORTS",
    "AssignForm",
    "CaseFilterForm",
    "CaseOpenForm",
    "Choices",
    "CloseForm",
    "CodeField",
    "DetailsForm",
    "NoteForm",
    "ReopenForm",
    "ResolveForm",
    "StatusForm",
    "SupplyForm",
    "TakeForm",
    "code_options",
    "specific_codes",
]
