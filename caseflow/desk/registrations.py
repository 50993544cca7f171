"""The desk's own pieces of the case page, the case list and the page shell, registered like
any app's (`caseflow.ui.registry`): the case page's panels (header; details, supplies and
timeline in the main column; notes and calls, and the workflow at the side), the actions of
`caseflow.desk.actions`, the list's columns, and the header's links, search box and
controls. Registered from `DeskConfig.ready()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caseflow.desk.actions import ACTIONS
from caseflow.desk.rows import COLUMNS
from caseflow.ui.registry import NavLink, Panel, Registry, SearchBox, ShellUrls

PANELS = (
    Panel("header", "desk/cases/_header.html", placement="header", refresh=True),
    Panel("details", "desk/cases/_details.html", placement="main", order=10, refresh=True),
    Panel("supplies", "desk/cases/_supplies.html", placement="main", order=20, refresh=True),
    Panel("timeline", "desk/cases/_timeline.html", placement="main", order=30, refresh=True),
    # Notes, calls, messages: refreshed after their own actions (the form comes back empty).
    Panel("log", "desk/cases/_log.html", placement="side", order=10),
    Panel("workflow", "desk/cases/_workflow.html", placement="side", order=30, refresh=True),
)


def register(registry: Registry) -> None:
    for panel in PANELS:
        registry.panel(panel)
    for action in ACTIONS:
        registry.action(action)
    for column in COLUMNS:
        registry.list_column(column)
    registry.nav_link(NavLink("incoming", _("Incoming call"), "desk:incoming", key="i", order=10))
    registry.nav_link(
        NavLink("cases", _("Cases"), "desk:cases", key="l", help=_("Case list"), order=20)
    )
    registry.search_box(
        SearchBox("desk:search", placeholder=_("Search cases, customers, serials … (press /)"))
    )
    registry.shell_urls(
        ShellUrls(
            home="desk:home",
            language="desk:set_language",
            logout="desk:logout",
            profile="desk:profile",
        )
    )
