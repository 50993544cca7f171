"""The doors through which apps put their pieces on the shared screens.

An app registers, from its `AppConfig.ready()`:

- **panels** of the case page (`Panel`): a partial, where it goes (`header`, `banner` under
  the header, `main` column, `side` column) and in which order;
- **actions** on a case (`Action`): label, keyboard shortcut, whether the viewer may use it
  on this case, the form (loaded when the agent opens it), the partial that shows the form,
  and how a POST is performed (one service call). Each action sits in a panel;
- **timeline entries** (`TimelineEntry`): per event type, how an entry is summarised for a
  reader and which partial shows its body;
- **list columns** (`ListColumn`) and **list filters** (`ListFilter`) of the case list;
- **shell pieces**: links of the page header (`NavLink`), the header's search box
  (`SearchBox`) and its own controls (`ShellUrls`), and parts shown on every page
  (`ShellPart`, e.g. the incoming-call notice).

The screens (the desk today) render what is registered, in order, and name no app above
`cases`. Registration happens once per process, at start-up; the screens read the
registry's sorted views, which are computed once and kept until the next registration (never
per request). Names are unique per kind: registering a second piece under a taken name
raises `ValueError` (an app that means to replace a piece calls `unregister` first).

See docs/architecture.md, "Extension points", for a worked example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from caseflow.cases.models import Case, TimelineEvent

Text = str | Promise  # a label: usually gettext_lazy(…), translated when shown

PLACEMENTS = ("header", "banner", "main", "side")


@dataclass(frozen=True)
class Panel:
    """A part of the case page.

    `template` is rendered with the page's context (`case`, `allowed`, …) and `panel`, this
    panel as the request sees it (`PanelView`: its `actions` the viewer may use, its `data`).
    Its outermost element has a stable id (`case-<name>` by convention) and carries
    `hx-swap-oob="true"` when `oob` is set: after an action the page swaps in again every
    panel with `refresh`, and the panel of the action itself."""

    name: str
    template: str
    placement: str
    order: int = 100
    refresh: bool = False
    # What the template needs beyond the page's context, read per page (one query at most;
    # the desk's query budgets hold the page to a constant number of queries).
    context: Callable[[HttpRequest, Case], Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise ValueError(f"panel {self.name}: placement must be one of {PLACEMENTS}")


# Builds the action's form for the case: bound to request.POST/FILES when `bound`, else
# unbound, with its initial values (and what the request's GET parameters prefill).
FormBuilder = Callable[[HttpRequest, Case, bool], forms.Form]
# Performs a valid form: one service call. Returns the success message ("" for `done`).
# Raises the service's DomainError (a form error, 422), Conflict (409) or NotAllowed (403).
Perform = Callable[[HttpRequest, Case, Any], str]


@dataclass(frozen=True)
class Action:
    """Something an agent does on a case, shown in the panel `panel`.

    The page shows a button (a `<details id="action-<name>">` summary with the shortcut
    `key`) that opens the form: built with the page when `lazy` is False, else fetched when
    opened (`GET cases/<pk>/forms/<name>/`). `inline` actions show their form itself (a
    one-button form). The form posts to `cases/<pk>/<path>/` (URL name `desk:<url_name>`),
    where the screen builds the form bound, calls `perform`, and answers the changed panels
    (htmx) or the form again with the message. The form's template gets `case`, `form` and
    `action` (an `ActionView`: `url`, `form_url`, `case_url`)."""

    name: str
    label: Text
    panel: str
    template: str
    form: FormBuilder
    perform: Perform
    allowed: Callable[[Any, Case], bool]
    order: int = 100
    key: str = ""
    help: Text = ""  # the shortcut's line in the help dialog (default: the label)
    style: str = "btn-outline-secondary"  # the button's classes
    css: str = ""  # more classes of the <details>
    done: Text = ""  # the success message, "%(number)s" the case number ("" → perform's)
    lazy: bool = True
    inline: bool = False
    path: str = ""  # default: the name
    url_name: str = ""  # default: case_<name>
    # Whether a GET of the case page opens the form at once, prefilled from the query (e.g.
    # "log this call": ?call=<id>). The form builder reads the query.
    opens: Callable[[HttpRequest], bool] | None = None
    # Service field → form field, where the form calls a field differently.
    field_aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return self.path or self.name

    @property
    def route_name(self) -> str:
        return self.url_name or f"case_{self.name}"


@dataclass(frozen=True)
class TimelineEntry:
    """How the timeline shows the events of one type (`EventType.code`).

    `summarize` gets all events of the type on a timeline page at once and returns one line
    per event, in the reader's language ("" for none): one query at most for the page.
    `prepare` reads what `template` needs for those events (again once per page), and
    `template` shows an entry's body (it gets `event` and `case`); without one the body is
    the event's text."""

    event_type: str
    summarize: Callable[[Sequence[TimelineEvent]], Sequence[str]] | None = None
    prepare: Callable[[Sequence[TimelineEvent]], None] | None = None
    template: str | None = None


@dataclass(frozen=True)
class ListContext:
    """What a list column's cells may need besides the cases."""

    viewer: Any
    snippets: Mapping[int, str]  # why a case matched the search words, by case id


@dataclass(frozen=True)
class ListColumn:
    """A column of the case list. `cells` gets the page's cases (up to 50, with customer,
    product, unit, priority, owner and team loaded) and returns one cell per case: plain
    text is escaped, a SafeString printed as it is. One query at most for the page."""

    name: str
    label: Text
    cells: Callable[[Sequence[Case], ListContext], Sequence[str]]
    order: int = 100
    sort: tuple[str, str] | None = None  # the list's sort on the first and the next click
    css: str = ""  # the cells' classes


@dataclass(frozen=True)
class ListFilter:
    """A filter of the case list, under "more filters": `field()` makes its form field (the
    query parameter is `name`), `apply` narrows the cases by the field's cleaned value when it
    is set. Give it an index: it runs on every list page that uses it."""

    name: str
    field: Callable[[], forms.Field]
    apply: Callable[[QuerySet[Case], Any], QuerySet[Case]]
    order: int = 100


@dataclass(frozen=True)
class NavLink:
    """A link of the page header, with its shortcut."""

    name: str
    label: Text
    url_name: str
    key: str = ""
    help: Text = ""  # the shortcut's line in the help dialog (default: the label)
    order: int = 100


@dataclass(frozen=True)
class SearchBox:
    """The page header's search field: where it sends the words (`q`)."""

    url_name: str
    placeholder: Text
    key: str = "/"


@dataclass(frozen=True)
class ShellUrls:
    """The page header's own controls: the brand's link, the language switch, log-out, and
    the signed-in user's own settings (language and time zone)."""

    home: str
    language: str
    logout: str
    profile: str = ""


@dataclass(frozen=True)
class ShellPart:
    """A partial on every page of the shell for a signed-in user (after the messages)."""

    name: str
    template: str
    order: int = 100


@dataclass
class ActionView:
    """An action as one request sees it: its form (None until the agent opens it), and the
    addresses the partials use."""

    action: Action
    form: Any
    url: str  # where the form posts
    form_url: str  # the form alone (htmx), with the version the page shows
    page_url: str  # the case page with the form open (no JavaScript)
    case_url: str  # the case page ("reload" after a conflict)

    def __getitem__(self, key: str) -> Any:
        # The template engine tries `view[key]` before `view.key`: answering it spares an
        # exception per lookup (a page looks up a dozen attributes of a dozen actions).
        return getattr(self, key)

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self) -> Text:
        return self.action.label

    @property
    def key(self) -> str:
        return self.action.key

    @property
    def style(self) -> str:
        return self.action.style

    @property
    def css(self) -> str:
        return self.action.css

    @property
    def template(self) -> str:
        return self.action.template

    @property
    def inline(self) -> bool:
        return self.action.inline

    @property
    def open(self) -> bool:
        """Shown open: posted with errors, or opened by the address."""
        return self.form is not None and (self.form.is_bound or getattr(self.form, "opened", False))


@dataclass
class PanelView:
    """A panel as one request sees it: the actions the viewer may use there, its data."""

    panel: Panel
    actions: list[ActionView]
    data: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)  # see ActionView.__getitem__

    @property
    def name(self) -> str:
        return self.panel.name

    @property
    def template(self) -> str:
        return self.panel.template


class Registry:
    """What the apps registered. Views read the sorted tuples, computed on first use after a
    registration."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {
            kind: {} for kind in ("panel", "action", "timeline", "column", "filter", "nav", "part")
        }
        self.search: SearchBox | None = None
        self.urls: ShellUrls | None = None
        self._views: dict[str, Any] = {}

    # --- registering ----------------------------------------------------------------------

    def _add(self, kind: str, name: str, item: Any) -> Any:
        if self._items[kind].get(name) == item:
            return item  # registered again by a second `ready()`: nothing changes
        if name in self._items[kind]:
            raise ValueError(f"a {kind} named {name!r} is registered already")
        self._items[kind][name] = item
        self._views.clear()
        return item

    def panel(self, panel: Panel) -> Panel:
        return self._add("panel", panel.name, panel)

    def action(self, action: Action) -> Action:
        if self._items["action"].get(action.name) == action:
            return action
        if action.name in self._items["action"]:
            raise ValueError(f"an action named {action.name!r} is registered already")
        taken = {a.route for a in self._items["action"].values()}
        if action.route in taken:
            raise ValueError(f"an action posts to {action.route!r} already")
        if action.key and action.key in self._keys():
            raise ValueError(f"an action has the shortcut {action.key!r} already")
        return self._add("action", action.name, action)

    def _keys(self) -> set[str]:
        items = [*self._items["action"].values(), *self._items["nav"].values()]
        return {item.key for item in items if item.key}

    def timeline_entry(self, entry: TimelineEntry) -> TimelineEntry:
        return self._add("timeline", entry.event_type, entry)

    def list_column(self, column: ListColumn) -> ListColumn:
        return self._add("column", column.name, column)

    def list_filter(self, list_filter: ListFilter) -> ListFilter:
        return self._add("filter", list_filter.name, list_filter)

    def nav_link(self, link: NavLink) -> NavLink:
        if self._items["nav"].get(link.name) == link:
            return link
        if link.key and link.key in self._keys():
            raise ValueError(f"the shortcut {link.key!r} is taken already")
        return self._add("nav", link.name, link)

    def shell_part(self, part: ShellPart) -> ShellPart:
        return self._add("part", part.name, part)

    def search_box(self, box: SearchBox) -> SearchBox:
        self.search = box
        self._views.clear()
        return box

    def shell_urls(self, urls: ShellUrls) -> ShellUrls:
        self.urls = urls
        return urls

    def unregister(self, kind: str, name: str) -> None:
        """Take a piece off (`kind`: panel, action, timeline, column, filter, nav, part)."""
        del self._items[kind][name]
        self._views.clear()

    @contextmanager
    def overlay(self) -> Iterator[Registry]:
        """Registrations made inside are gone afterwards (for tests)."""
        saved = {kind: dict(items) for kind, items in self._items.items()}
        search, urls = self.search, self.urls
        try:
            yield self
        finally:
            self._items = saved
            self.search, self.urls = search, urls
            self._views.clear()

    # --- reading (sorted once) ------------------------------------------------------------

    def _view(self, key: str, build: Callable[[], Any]) -> Any:
        try:
            return self._views[key]
        except KeyError:
            value = self._views[key] = build()
            return value

    def _sorted(self, kind: str) -> tuple[Any, ...]:
        return self._view(
            kind, lambda: tuple(sorted(self._items[kind].values(), key=lambda i: i.order))
        )

    def panels(self) -> tuple[Panel, ...]:
        """Every panel, in page order: by placement, then by order."""
        return self._view(
            "panels",
            lambda: tuple(
                sorted(
                    self._items["panel"].values(),
                    key=lambda p: (PLACEMENTS.index(p.placement), p.order),
                )
            ),
        )

    def actions(self) -> tuple[Action, ...]:
        """Every action, in page order: by its panel's place, then by order."""

        def build() -> tuple[Action, ...]:
            rank = {panel.name: n for n, panel in enumerate(self.panels())}
            actions = self._items["action"].values()
            return tuple(sorted(actions, key=lambda a: (rank.get(a.panel, len(rank)), a.order)))

        return self._view("actions", build)

    def action_named(self, name: str) -> Action | None:
        return self._items["action"].get(name)

    def action_at(self, route: str) -> Action | None:
        """The action that posts to `cases/<pk>/<route>/`."""
        routes = self._view("routes", lambda: {a.route: a for a in self._items["action"].values()})
        return routes.get(route)

    def shortcuts(self) -> tuple[tuple[str, Text], ...]:
        """(key, what it does) of every action with a shortcut, in page order."""
        return self._view(
            "shortcuts",
            lambda: tuple((a.key, a.help or a.label) for a in self.actions() if a.key),
        )

    def shortcuts_html(self) -> SafeString:
        """The shortcuts' lines of the help dialog (`<dt>` key, `<dd>` what it does), in the
        active language: printed once per language, not per page."""
        language = get_language()
        key = f"shortcuts_html:{language}"
        return self._view(
            key,
            lambda: format_html_join(
                "\n",
                '<dt class="col-3"><kbd>{}</kbd></dt><dd class="col-9">{}</dd>',
                self.shortcuts(),
            ),
        )

    def timeline_entries(self) -> Mapping[str, TimelineEntry]:
        return self._items["timeline"]

    def list_columns(self) -> tuple[ListColumn, ...]:
        return self._sorted("column")

    def list_filters(self) -> tuple[ListFilter, ...]:
        return self._sorted("filter")

    def nav_links(self) -> tuple[NavLink, ...]:
        return self._sorted("nav")

    def shell_parts(self) -> tuple[ShellPart, ...]:
        return self._sorted("part")


registry = Registry()
