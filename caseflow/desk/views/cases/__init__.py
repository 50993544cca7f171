"""The case list, opening a case, and the case detail with every action on it.

Reads go through `caseflow.cases.selectors`, every change through one service of
`caseflow.cases.services`. An action answers htmx with out-of-band swaps of every part of
the page the change touches (header, details, supplies, workflow, timeline), so all forms
carry the case's new version; on bad input it answers the form again with the message (422),
on a stale version the service's "changed by … at …" with a reload button (409), and a role
that may not act gets 403. Without htmx the same URLs redirect (PRG) or render the full page.
"""

from django.urls import path

from caseflow.desk.views.cases.actions import (
    case_assign,
    case_call,
    case_changed,
    case_close,
    case_edit,
    case_note,
    case_reopen,
    case_resolve,
    case_status,
    case_supply_add,
    case_supply_remove,
)
from caseflow.desk.views.cases.detail import (
    case_action_form,
    case_attachment,
    case_detail,
    case_timeline,
    load_case,
    specific_code_options,
)
from caseflow.desk.views.cases.listing import case_list
from caseflow.desk.views.cases.new import case_new
from caseflow.ui.forms import add_service_error

# The channels' case actions use these three until they join the case page's registry.
__all__ = ["add_service_error", "case_changed", "load_case", "urlpatterns"]

urlpatterns = [
    path("cases/", case_list, name="cases"),
    path("cases/new/", case_new, name="case_new"),
    path("cases/specific-codes/", specific_code_options, name="case_specific_codes"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/timeline/", case_timeline, name="case_timeline"),
    path("cases/<int:pk>/forms/<str:name>/", case_action_form, name="case_action_form"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        case_attachment,
        name="case_attachment",
    ),
    path("cases/<int:pk>/note/", case_note, name="case_note"),
    path("cases/<int:pk>/call/", case_call, name="case_call"),
    path("cases/<int:pk>/status/", case_status, name="case_status"),
    path("cases/<int:pk>/assign/", case_assign, name="case_assign"),
    path("cases/<int:pk>/details/", case_edit, name="case_edit"),
    path("cases/<int:pk>/supplies/", case_supply_add, name="case_supply_add"),
    path(
        "cases/<int:pk>/supplies/<int:line_id>/remove/",
        case_supply_remove,
        name="case_supply_remove",
    ),
    path("cases/<int:pk>/resolve/", case_resolve, name="case_resolve"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", case_reopen, name="case_reopen"),
]
