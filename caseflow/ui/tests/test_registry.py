"""The registry of the screens: names, paths and shortcuts are unique, pieces come sorted
(once, not per request), a second `ready()` changes nothing, and an overlay is undone."""

from __future__ import annotations

import pytest

from caseflow.ui.registry import (
    Action,
    ListColumn,
    ListFilter,
    NavLink,
    Panel,
    Registry,
    TimelineEntry,
    registry,
)


def action(name: str, panel: str = "p", **kwargs) -> Action:
    defaults = {
        "label": name,
        "panel": panel,
        "template": "x.html",
        "form": lambda request, case, bound: None,
        "perform": lambda request, case, form: "",
        "allowed": lambda user, case: True,
    }
    return Action(name=name, **{**defaults, **kwargs})


def test_panels_come_by_placement_then_order():
    r = Registry()
    r.panel(Panel("side-late", "t", placement="side", order=50))
    r.panel(Panel("main", "t", placement="main"))
    r.panel(Panel("side-early", "t", placement="side", order=10))
    r.panel(Panel("top", "t", placement="header"))
    r.panel(Panel("banner", "t", placement="banner"))

    assert [p.name for p in r.panels()] == ["top", "banner", "main", "side-early", "side-late"]


def test_a_panel_needs_a_known_placement():
    with pytest.raises(ValueError, match="placement"):
        Panel("x", "t", placement="footer")


def test_actions_come_in_page_order_and_their_shortcuts_with_them():
    r = Registry()
    r.panel(Panel("second", "t", placement="side"))
    r.panel(Panel("first", "t", placement="main"))
    r.action(action("b", "second", key="b", order=1))
    r.action(action("a2", "first", key="y", order=20, help="Second of first"))
    r.action(action("a1", "first", order=10))

    assert [a.name for a in r.actions()] == ["a1", "a2", "b"]
    assert r.shortcuts() == (("y", "Second of first"), ("b", "b"))
    assert r.action_at("a2").name == "a2"
    assert r.action_at("nowhere") is None


def test_names_paths_and_keys_are_unique():
    r = Registry()
    r.action(action("note", key="n"))
    r.nav_link(NavLink("cases", "Cases", "desk:cases", key="l"))
    with pytest.raises(ValueError, match="named 'note'"):
        r.action(action("note", key="q"))
    with pytest.raises(ValueError, match="posts to 'note'"):
        r.action(action("other", path="note"))
    with pytest.raises(ValueError, match="shortcut 'n'"):
        r.action(action("other", key="n"))
    with pytest.raises(ValueError, match="shortcut 'l'"):
        r.action(action("other", key="l"))
    with pytest.raises(ValueError, match="taken"):
        r.nav_link(NavLink("more", "More", "desk:more", key="n"))
    with pytest.raises(ValueError, match="named 'x'"):
        r.timeline_entry(TimelineEntry("x"))
        r.timeline_entry(TimelineEntry("x", template="other.html"))


def test_registering_the_same_piece_again_changes_nothing():
    """A second `ready()` (Django may call it again in one process) registers equal pieces."""
    r = Registry()
    note = action("note", key="n")
    column = ListColumn("due", "Due", lambda cases, context: [])
    for _ in range(2):
        r.action(note)
        r.list_column(column)
    assert r.actions() == (note,) and r.list_columns() == (column,)


def test_the_sorted_views_are_kept_until_the_next_registration():
    r = Registry()
    r.list_filter(ListFilter("b", field=lambda: None, apply=lambda c, v: c, order=2))
    first = r.list_filters()
    assert r.list_filters() is first  # not sorted again per request
    r.list_filter(ListFilter("a", field=lambda: None, apply=lambda c, v: c, order=1))
    assert [f.name for f in r.list_filters()] == ["a", "b"]


def test_an_overlay_is_undone():
    before = registry.actions()
    with registry.overlay():
        registry.panel(Panel("extra", "t", placement="main"))
        registry.action(action("extra-action", "extra"))
        assert "extra-action" in [a.name for a in registry.actions()]
    assert registry.actions() == before
    assert registry.action_named("extra-action") is None


def test_the_apps_registered_their_pieces():
    """The desk's, the channels' and the cases' own pieces, from their `ready()`."""
    names = [a.name for a in registry.actions()]
    assert names == [
        "edit",
        "supply",
        "note",
        "call",
        "sms",
        "reply",
        "take",
        "assign",
        "status",
        "resolve",
        "close",
        "reopen",
    ]
    assert [p.name for p in registry.panels()] == [
        "header",
        "unknown-sender",
        "details",
        "supplies",
        "timeline",
        "log",
        "reply",
        "workflow",
    ]
    assert {"created", "status_changed", "assigned", "resolved", "email_in", "sms_out"} <= set(
        registry.timeline_entries()
    )
    assert [c.name for c in registry.list_columns()][:2] == ["number", "subject"]
    assert [p.name for p in registry.shell_parts()] == ["call-notice"]
