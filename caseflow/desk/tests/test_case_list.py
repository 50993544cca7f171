"""The case list: filters in the URL, keyset pages, sorting, saved views, query budgets."""

from __future__ import annotations

import importlib.util
import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseflow.accounts.models import Role, Team, User
from caseflow.cases import services
from caseflow.cases.models import CaseStatus, Priority
from caseflow.catalog.tests.factories import ProductFactory, UnitFactory
from caseflow.core.models import Channel
from caseflow.customers.tests.factories import CustomerFactory
from caseflow.desk.views.cases import listing
from caseflow.desk.views.cases import paging as views

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
URL = reverse("desk:cases")
# Counting the list is one query; on PostgreSQL it runs in a savepoint with its own statement
# timeout, set and undone: five (in production, outside a transaction, two).
COUNT = 1 if connection.vendor != "postgresql" else 5


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-case-row="(\d+)"', response.content.decode())]


def next_link(response) -> str | None:
    match = re.search(r'rel="next"[^>]*href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


def test_the_page_shows_the_cases_newest_first(client, agent, desk_case_open):
    older = desk_case_open(subject="Older")
    newer = desk_case_open(subject="Newer")
    client.force_login(agent)

    response = client.get(URL)

    assert response.status_code == 200
    assert rows(response) == [newer.pk, older.pk]
    html = response.content.decode()
    assert 'id="case-filters"' in html and 'hx-push-url="true"' in html
    assert newer.number in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "rows partial"])
def test_query_count_does_not_grow_with_the_rows(
    client, agent, desk_case_open, desk_case_unit, headers, django_assert_max_num_queries
):
    team = Team.objects.create(name="Espresso")

    def measure() -> int:
        client.get(URL, headers=headers)  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, headers=headers)
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        desk_case_open(unit=desk_case_unit, owner=agent, team=team)
    client.force_login(agent)
    few = measure()
    for _ in range(27):
        desk_case_open(unit=desk_case_unit, owner=agent, team=team)

    # page: session, user, the saved views' capped COUNTs (one statement), the list's count,
    # rows with customer, product and unit joined (priority, owner, team, product types and
    # codes from the cached configuration rows)
    budget = (4 if not headers else 3) + COUNT
    with django_assert_max_num_queries(budget):
        response = client.get(URL, headers=headers)
    assert len(rows(response)) == 30
    assert measure() == few


def test_rows_show_owners_and_teams_the_pickers_do_not_offer(
    client, agent, team_lead, desk_case_open, django_assert_max_num_queries
):
    """An inactive owner and an archived team are not in the pickers: the rows still name them,
    with one query each for the missing ones."""
    former = User.objects.create_user(username="former", first_name="Fritz", role=Role.AGENT)
    archived = Team.objects.create(name="Old crew")
    desk_case_open(owner=former, team=archived, actor=team_lead)  # in no team of the agent's
    User.objects.filter(pk=former.pk).update(is_active=False)
    Team.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    client.force_login(agent)

    with django_assert_max_num_queries(10 + COUNT):
        response = client.get(URL, headers=HTMX)

    html = response.content.decode()
    assert "Fritz" in html
    assert "Old crew" in html


def test_history_restore_gets_the_whole_page(client, agent, desk_case):
    client.force_login(agent)
    response = client.get(URL, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()
    partial = client.get(URL, headers=HTMX)
    assert "<html" not in partial.content.decode()
    assert 'id="case-rows"' in partial.content.decode()


def test_filters_by_status_owner_team_priority_type_and_channel(
    client, agent, technician, team_lead, desk_case_open, desk_case_unit
):
    team = Team.objects.create(name="Espresso")
    urgent = Priority.objects.get(code="P1")
    mine = desk_case_open(owner=agent)
    theirs = desk_case_open(owner=technician, team=team, priority=urgent, actor=team_lead)
    by_mail = desk_case_open(channel=Channel.EMAIL, unit=desk_case_unit)
    services.change_status(
        actor=agent, channel=Channel.UI, case=by_mail, status=CaseStatus.WAITING_PARTS
    )
    billable = desk_case_open(unit=desk_case_unit, case_type="billable", case_type_reason="Drop")
    client.force_login(agent)

    def found(**params) -> set[int]:
        response = client.get(URL, params, headers=HTMX)
        assert response.status_code == 200
        return set(rows(response))

    assert found(owner="me") == {mine.pk}
    assert found(owner=str(technician.pk)) == {theirs.pk}
    assert found(owner="none") == {by_mail.pk, billable.pk}
    assert found(team=str(team.pk)) == {theirs.pk}
    assert found(priority="P1") == {theirs.pk}
    assert found(case_type="warranty") == {by_mail.pk}  # no unit: billable is suggested
    assert found(case_type="billable") == {mine.pk, theirs.pk, billable.pk}
    assert found(channel="email") == {by_mail.pk}
    assert found(status=["waiting_parts", "open"]) == {by_mail.pk}
    assert found(status=["new"]) == {mine.pk, theirs.pk, billable.pk}


def test_filters_by_customer_product_and_product_type(
    client, agent, desk_case_open, desk_case_unit, desk_case_device
):
    other_customer = CustomerFactory(number="CU-T777777")
    other_unit = UnitFactory(product=ProductFactory(sku="GR-10"))
    on_unit = desk_case_open(unit=desk_case_unit)
    elsewhere = desk_case_open(customer=other_customer, unit=other_unit)
    client.force_login(agent)

    def found(**params) -> set[int]:
        return set(rows(client.get(URL, params, headers=HTMX)))

    assert found(customer=str(other_customer.pk)) == {elsewhere.pk}
    assert found(customer="cu-t777777") == {elsewhere.pk}  # the number, in any case
    assert found(product="EM-2000") == {on_unit.pk}
    assert found(product=str(other_unit.product_id)) == {elsewhere.pk}
    assert found(product_type=str(desk_case_device.product_type_id)) == {on_unit.pk}
    response = client.get(URL, {"customer": "CU-NOPE"}, headers=HTMX)
    assert "There is no customer CU-NOPE." in response.content.decode()
    assert rows(response) == []


def test_the_date_range_is_in_the_users_time_zone(client, agent, desk_case_open):
    agent.time_zone = "America/New_York"
    agent.save()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    late = desk_case_open(received_at=datetime(2026, 3, 2, 23, 30, tzinfo=new_york))
    next_day = desk_case_open(received_at=datetime(2026, 3, 3, 0, 30, tzinfo=new_york))
    day_before = desk_case_open(received_at=datetime(2026, 3, 1, 23, 59, tzinfo=new_york))
    client.force_login(agent)

    response = client.get(
        URL, {"received_from": "2026-03-02", "received_to": "2026-03-02"}, headers=HTMX
    )

    assert rows(response) == [late.pk]  # 04:30 UTC on 3 March, but 2 March in New York
    response = client.get(URL, {"received_from": "2026-03-02"}, headers=HTMX)
    assert set(rows(response)) == {late.pk, next_day.pk}
    assert day_before.pk not in rows(response)
    backwards = client.get(
        URL, {"received_from": "2026-03-03", "received_to": "2026-03-01"}, headers=HTMX
    )
    assert "The end lies before the start." in backwards.content.decode()


def test_free_text_matches_a_case_number_exactly_never_a_substring(
    client, agent, desk_case_open, monkeypatch
):
    # Until the search module is installed, words find nothing rather than scanning text.
    monkeypatch.setattr(views, "SEARCH_MODULE", "caseflow.cases.no_such_module")
    wanted = desk_case_open(subject="Grinder jammed")
    desk_case_open(subject="Pump is loud")
    client.force_login(agent)

    assert rows(client.get(URL, {"q": wanted.number.lower()}, headers=HTMX)) == [wanted.pk]
    assert rows(client.get(URL, {"q": wanted.number[:-1]}, headers=HTMX)) == []
    words = client.get(URL, {"q": "Grinder"}, headers=HTMX)
    assert rows(words) == []
    assert "enter a complete case number" in words.content.decode()


@pytest.mark.skipif(
    importlib.util.find_spec(views.SEARCH_MODULE) is None, reason="no search module yet"
)
def test_words_are_searched_ranked_and_date_sorting_pages_through_them(
    client, agent, desk_case_open
):
    grinder = desk_case_open(subject="Grinder jammed", received_at=at(1))
    desk_case_open(subject="Pump is loud", received_at=at(2))
    client.force_login(agent)

    ranked = client.get(URL, {"q": "grinder"}, headers=HTMX)
    assert rows(ranked) == [grinder.pk]
    by_date = client.get(URL, {"q": "grinder", "sort": "newest"}, headers=HTMX)
    assert rows(by_date) == [grinder.pk]


@pytest.mark.skipif(
    importlib.util.find_spec(views.SEARCH_MODULE) is None, reason="no search module yet"
)
def test_a_ranked_page_shows_each_rows_customer_unit_and_product_in_constant_queries(
    client, agent, desk_case_open, desk_case_unit
):
    client.force_login(agent)
    for n in range(3):
        desk_case_open(subject=f"Grinder jammed {n}", unit=desk_case_unit, received_at=at(n))

    def ranked() -> tuple[int, str]:
        client.get(URL, {"q": "grinder"}, headers=HTMX)  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "grinder"}, headers=HTMX)
        return len(queries), response.content.decode()

    few, _html = ranked()
    for n in range(3, 12):
        desk_case_open(subject=f"Grinder jammed {n}", unit=desk_case_unit, received_at=at(n))
    many, html = ranked()
    assert many == few
    assert html.count("data-case-row=") == 12
    assert html.count(desk_case_unit.serial) == 12 and desk_case_unit.product.sku in html


def at(seconds: int) -> datetime:
    """Whole seconds apart (a test below covers sub-millisecond neighbours)."""
    return datetime(2026, 1, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")) + timedelta(seconds=seconds)


def test_keyset_pages_follow_on_without_gaps_or_repeats(client, agent, desk_case_open):
    opened = [
        desk_case_open(subject=f"Case {n}", received_at=at(n)) for n in range(views.PAGE_SIZE + 7)
    ]
    client.force_login(agent)

    first = client.get(URL, {"status": "new"}, headers=HTMX)
    link = next_link(first)
    assert link is not None and "status=new" in link and "cursor=" in link
    second = client.get(link, headers=HTMX)
    assert next_link(second) is None
    assert "First page" in second.content.decode()
    seen = rows(first) + rows(second)
    assert seen == [c.pk for c in reversed(opened)]

    broken = client.get(URL, {"cursor": "not-a-cursor"}, headers=HTMX)
    assert broken.status_code == 200
    assert "start again from the first page" in broken.content.decode()


def test_oldest_first_and_priority_sorting(client, agent, desk_case_open, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    priority = {p.code: p for p in Priority.objects.all()}
    low = desk_case_open(priority=priority["P4"], received_at=at(1))
    critical_old = desk_case_open(priority=priority["P1"], received_at=at(2))
    normal = desk_case_open(received_at=at(3))
    critical_new = desk_case_open(priority=priority["P1"], received_at=at(4))
    client.force_login(agent)

    oldest = client.get(URL, {"sort": "oldest"}, headers=HTMX)
    assert rows(oldest) == [low.pk, critical_old.pk]
    assert rows(client.get(next_link(oldest), headers=HTMX)) == [normal.pk, critical_new.pk]

    pages, link = [], f"{URL}?sort=priority"
    while link:
        response = client.get(link, headers=HTMX)
        pages.append(rows(response))
        link = next_link(response)
    assert [pk for page in pages for pk in page] == [
        critical_new.pk,
        critical_old.pk,
        normal.pk,
        low.pk,
    ]
    assert pages[0] == [critical_new.pk, critical_old.pk]


def test_cases_received_within_one_millisecond_are_neither_skipped_nor_repeated(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    first = desk_case_open(received_at=at(0) + timedelta(microseconds=100))
    second = desk_case_open(received_at=at(0) + timedelta(microseconds=900))
    client.force_login(agent)

    page = client.get(URL, headers=HTMX)
    assert rows(page) == [second.pk]
    assert rows(client.get(next_link(page), headers=HTMX)) == [first.pk]


def test_saved_views_link_their_filters_and_count_their_cases(
    client, agent, technician, team_lead, desk_case_open
):
    desk_case_open(owner=agent)
    desk_case_open(owner=agent)
    desk_case_open()
    waiting = desk_case_open(owner=technician, actor=team_lead)
    services.change_status(
        actor=agent, channel=Channel.UI, case=waiting, status=CaseStatus.WAITING_VENDOR
    )
    client.force_login(agent)

    html = client.get(URL).content.decode()

    counts = dict(re.findall(r'data-view-count="(\w+)">(\d+)<', html))
    assert counts == {"mine": "2", "unassigned": "1", "waiting": "1"}
    mine = re.search(r'href="([^"]+)"[^>]*>\s*My open cases', html).group(1).replace("&amp;", "&")
    assert "owner=me" in mine and "status=waiting_customer" in mine
    response = client.get(mine)
    assert len(rows(response)) == 2
    assert 'aria-current="page"' in response.content.decode()


def test_a_saved_views_badge_stops_counting_past_its_limit(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(listing, "VIEW_COUNT_LIMIT", 2)
    for _ in range(3):
        desk_case_open(owner=agent)
    desk_case_open()
    client.force_login(agent)

    html = client.get(URL).content.decode()

    counts = dict(re.findall(r'data-view-count="(\w+)">([^<]+)<', html))
    assert counts == {"mine": "2+", "unassigned": "1", "waiting": "0"}


def test_roles_that_only_read_see_the_list_without_new_case(client, quality_manager, desk_case):
    client.force_login(quality_manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows(response) == [desk_case.pk]
    assert reverse("desk:case_new") not in response.content.decode()
