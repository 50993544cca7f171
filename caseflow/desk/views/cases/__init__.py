"""The case list, opening a case, and the case detail with every action on it.

Reads go through `caseflow.cases.selectors`, every change through one service of
`caseflow.cases.services`. An action answers htmx with out-of-band swaps of every part of
the page the change touches (header, details, supplies, workflow, timeline), so all forms
carry the case's new version; on bad input it answers the form again with the message (422),
on a stale version the service's "changed by … at …" with a reload button (409), and a role
that may not act gets 403. Without htmx the same URLs redirect (PRG) or render the full page.

The case page is composed from the registry (`caseflow.ui.registry`): its panels and actions
are whatever the apps registered, the desk's own among them (`caseflow.desk.registrations`).
"""

from django.urls import URLPattern, path

from caseflow.desk.views.cases.actions import case_action, case_supply_remove
from caseflow.desk.views.cases.detail import (
    case_action_form,
    case_attachment,
    case_detail,
    case_timeline,
    specific_code_options,
)
from caseflow.desk.views.cases.listing import case_list
from caseflow.desk.views.cases.new import case_new
from caseflow.ui.registry import registry


def action_routes() -> list[URLPattern]:
    """cases/<pk>/<route>/ of every action registered at start-up, named `case_<name>` (or
    the action's `url_name`): `desk:case_note`, `desk:case_reply` …; then one route for any
    action registered later (`desk:case_action`)."""
    named = [
        path(f"cases/<int:pk>/{a.route}/", case_action, {"route": a.route}, name=a.route_name)
        for a in registry.actions()
    ]
    return [*named, path("cases/<int:pk>/<slug:route>/", case_action, name="case_action")]


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
    path(
        "cases/<int:pk>/supplies/<int:line_id>/remove/",
        case_supply_remove,
        name="case_supply_remove",
    ),
    *action_routes(),
]
