"""The case list's total, its sortable columns, the reason and resolution filters, and keyword
searches: best first or newest first, with a snippet of why each case matched."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseflow.cases import search, selectors
from caseflow.cases.models import Case, CaseStatus, Code
from caseflow.core.models import Channel
from caseflow.customers.tests.factories import CustomerFactory
from caseflow.desk.views.cases import paging as views

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
URL = reverse("desk:cases")
# the list's count: one query; on PostgreSQL in a savepoint with a timeout set and undone
COUNT = 1 if connection.vendor != "postgresql" else 5
# PostgreSQL: the planner's estimate of a search's matches (an EXPLAIN) before collecting them
ESTIMATE = 0 if connection.vendor != "postgresql" else 1


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-case-row="(\d+)"', response.content.decode())]


def next_link(response) -> str | None:
    match = re.search(r'rel="next"[^>]*href="([^"]+)"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


def every_page(client, params: dict) -> list[int]:
    """The rows of every page, following the "next" links."""
    seen, response = [], client.get(URL, params, headers=HTMX)
    for _ in range(50):
        assert response.status_code == 200
        seen.extend(rows(response))
        link = next_link(response)
        if link is None:
            return seen
        response = client.get(link, headers=HTMX)
    raise AssertionError("more than 50 pages")


def total(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="case-total"')
    return " ".join(re.sub(r"<[^>]+>", " ", html[start : html.index("</p>", start)]).split()[1:])


def at(seconds: int) -> datetime:
    return datetime(2026, 1, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")) + timedelta(seconds=seconds)


# --- the total --------------------------------------------------------------------------------


def test_the_list_says_how_many_cases_match_its_filters(client, agent, desk_case_open):
    for _ in range(3):
        desk_case_open(owner=agent)
    desk_case_open()
    client.force_login(agent)

    assert total(client.get(URL, headers=HTMX)) == "4 cases"
    assert total(client.get(URL, {"owner": "me"}, headers=HTMX)) == "3 cases"
    assert total(client.get(URL, {"status": "closed"}, headers=HTMX)) == "0 cases"


def test_past_the_count_limit_the_list_says_more_than(client, agent, desk_case_open, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    for _ in range(3):
        desk_case_open()
    client.force_login(agent)

    assert total(client.get(URL, headers=HTMX)) == "More than 2 cases"


def test_a_count_that_takes_too_long_is_left_out(client, agent, desk_case_open, monkeypatch):
    desk_case_open()
    monkeypatch.setattr(selectors, "count_up_to", lambda queryset, limit=None: None)
    client.force_login(agent)

    response = client.get(URL, headers=HTMX)

    assert "Counting these cases would take too long." in total(response)
    assert len(rows(response)) == 1


@pytest.mark.postgres
def test_a_count_over_its_time_budget_is_cancelled_and_the_transaction_goes_on(
    desk_case_open, monkeypatch
):
    """statement_timeout cancels the count; the savepoint keeps the surrounding transaction
    (the test's) usable, and the timeout is undone."""
    desk_case_open()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]

    assert selectors.bounded_rows("SELECT pg_sleep(0.2)", [], budget_ms=20) is None
    assert selectors.count_up_to(Case.objects.all()) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


# --- sorting ----------------------------------------------------------------------------------


def test_sorting_by_case_number_pages_through_every_case_both_ways(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    opened = [desk_case_open(received_at=at(-n)) for n in range(5)]  # numbers rise, dates fall
    by_number = sorted(opened, key=lambda c: c.number)
    client.force_login(agent)

    assert every_page(client, {"sort": "number"}) == [c.pk for c in by_number]
    assert every_page(client, {"sort": "-number"}) == [c.pk for c in reversed(by_number)]


@pytest.mark.parametrize("walked", [False, True], ids=["few cases sorted", "index walked"])
def test_sorting_by_customer_goes_by_name_then_newest_first(
    client, agent, desk_case_open, monkeypatch, walked
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    if walked:  # more cases than the count limit: the name index is walked
        monkeypatch.setattr(selectors, "COUNT_LIMIT", 1)
    zeta, alpha, mitte = (CustomerFactory(name=n) for n in ("Zeta Bau", "Alpha Café", "Mitte"))
    cases = {
        (customer.name, n): desk_case_open(customer=customer, received_at=at(n))
        for customer in (zeta, alpha, mitte)
        for n in (1, 2)
    }
    client.force_login(agent)

    assert every_page(client, {"sort": "customer"}) == [
        cases[key].pk
        for key in [("Alpha Café", 2), ("Alpha Café", 1), ("Mitte", 2), ("Mitte", 1),
                    ("Zeta Bau", 2), ("Zeta Bau", 1)]
    ]  # fmt: skip


def test_sorting_by_status_goes_by_the_workflow_then_newest_first(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    waiting = desk_case_open(received_at=at(1))
    new_old, new_new = desk_case_open(received_at=at(2)), desk_case_open(received_at=at(3))
    from caseflow.cases import services

    services.change_status(
        actor=agent, channel=Channel.UI, case=waiting, status=CaseStatus.WAITING_CUSTOMER
    )
    opened = desk_case_open(received_at=at(4))
    services.change_status(actor=agent, channel=Channel.UI, case=opened, status=CaseStatus.OPEN)
    client.force_login(agent)

    assert every_page(client, {"sort": "status"}) == [
        new_new.pk, new_old.pk, opened.pk, waiting.pk,
    ]  # fmt: skip


def test_column_headers_sort_the_list_and_say_how_it_is_sorted(client, agent, desk_case_open):
    desk_case_open()
    client.force_login(agent)

    html = client.get(URL, {"sort": "number", "status": "new"}, headers=HTMX).content.decode()

    headers = dict(re.findall(r'href="[^"]*\?([^"]*)" data-sort="(\w+)"', html)[::-1])
    links = {column: query.replace("&amp;", "&") for query, column in headers.items()}
    assert "sort=-number" in links["number"] and "status=new" in links["number"]
    assert "sort=customer" in links["customer"] and "sort=newest" in links["received"]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a [^>]*data-sort="number"', html)
    newest = client.get(URL, headers=HTMX).content.decode()
    assert re.search(r'aria-sort="descending"><a [^>]*data-sort="received"', newest)
    assert "sort=oldest" in re.search(r'href="([^"]*)" data-sort="received"', newest).group(1)


@pytest.mark.parametrize("sort", ["customer", "status", "priority", "number"])
def test_a_bad_cursor_for_a_sort_is_a_clear_error_not_a_500(client, agent, desk_case_open, sort):
    desk_case_open()
    client.force_login(agent)

    for cursor in ("not-a-cursor", "99.", "r12", "!!"):
        response = client.get(URL, {"sort": sort, "cursor": cursor}, headers=HTMX)
        assert response.status_code == 200
        assert "start again from the first page" in response.content.decode()


@pytest.mark.parametrize("sort", ["customer", "status", "number", "oldest"])
def test_sorted_pages_cost_the_same_queries_for_3_or_30_cases(
    client, agent, desk_case_open, desk_case_unit, sort, django_assert_max_num_queries
):
    client.force_login(agent)

    def measure() -> int:
        client.get(URL, {"sort": sort}, headers=HTMX)  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"sort": sort}, headers=HTMX).status_code == 200
        return len(queries)

    for _ in range(3):
        desk_case_open(unit=desk_case_unit)
    few = measure()
    for _ in range(27):
        desk_case_open(unit=desk_case_unit)
    # session, user, 4 pickers, codes, count, the page (per status: up to 7), its rows' joins
    with django_assert_max_num_queries(7 + COUNT + 7 + 3):
        response = client.get(URL, {"sort": sort}, headers=HTMX)
    assert len(rows(response)) == 30
    assert measure() == few


# --- reason and resolution codes --------------------------------------------------------------


def test_filters_by_general_or_specific_reason_and_resolution_code(
    client, agent, team_lead, desk_case_open
):
    from caseflow.cases import services

    code = {c.code: c for c in Code.objects.all()}
    operating = desk_case_open(reason_general=code["USER"], reason_specific=code["USER-OP"])
    docs = desk_case_open(reason_general=code["USER"], reason_specific=code["USER-DOC"])
    general_only = desk_case_open(reason_general=code["USER"])
    hardware = desk_case_open(reason_general=code["HARD"], reason_specific=code["HARD-DEF"])
    services.resolve_case(
        actor=team_lead, channel=Channel.UI, case=hardware,
        resolution_general=code["FIX"], resolution_specific=code["FIX-PART"],
    )  # fmt: skip
    client.force_login(agent)

    def found(**params) -> set[int]:
        response = client.get(URL, params, headers=HTMX)
        assert response.status_code == 200
        return set(rows(response))

    assert found(reason=code["USER"].pk) == {operating.pk, docs.pk, general_only.pk}
    assert found(reason=code["USER-OP"].pk) == {operating.pk}
    assert found(resolution=code["FIX"].pk) == {hardware.pk}
    assert found(resolution=code["FIX-PART"].pk, reason=code["HARD"].pk) == {hardware.pk}
    assert found(resolution=code["FIX-UPD"].pk) == set()
    # a reason code is no resolution code, and unknown or inactive codes are refused
    code["USER-DOC"].active = False
    code["USER-DOC"].save(update_fields=["active"])  # as the admin does (clears the cache)
    for params in ({"resolution": code["USER"].pk}, {"reason": "999999"}, {"reason": "x"},
                   {"reason": code["USER-DOC"].pk}):  # fmt: skip
        response = client.get(URL, params, headers=HTMX)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert rows(response) == []


def test_the_code_filters_offer_each_general_code_with_its_specific_ones(client, agent):
    client.force_login(agent)

    html = client.get(URL).content.decode()

    start = html.index('name="reason"')
    reason = html[start : html.index("</select>", start)]
    assert '<optgroup label="User error">' in reason
    assert "USER · User error" in reason and "USER-OP · Operating error" in reason
    assert "FIX-PART" not in reason
    assert "FIX-PART · Part replaced" in html


# --- keyword searches -------------------------------------------------------------------------


def test_words_are_ranked_and_each_row_says_why_it_matched_escaped(client, agent, desk_case_open):
    strong = desk_case_open(
        subject="Grinder jammed", symptom="The grinder <script>alert(1)</script> stops"
    )
    weak = desk_case_open(subject="Noise", symptom="Maybe the grinder & the burrs")
    subject_only = desk_case_open(subject="Grinder", symptom="Nothing else here")
    client.force_login(agent)

    response = client.get(URL, {"q": "grinder"}, headers=HTMX)

    html = response.content.decode()
    assert set(rows(response)) == {strong.pk, weak.pk, subject_only.pk}
    assert total(response) == "3 cases · best matches first"
    snippets = re.findall(r'data-testid="case-snippet">(.*?)</div>', html)
    assert len(snippets) == 2  # the subject is shown already: no snippet
    # SQLite keeps the customer's tags (escaped), PostgreSQL's ts_headline drops them
    hostile = re.compile(
        r"<mark>grinder</mark> (&lt;script&gt;)?alert\(1\)(&lt;/script&gt;)? +stops"
    )
    assert any(hostile.search(snippet) for snippet in snippets), snippets
    assert "<script>" not in html.split('id="case-rows"')[1]
    assert any("Maybe the <mark>grinder</mark> &amp; the burrs" in s for s in snippets)


def test_words_matching_more_than_the_rank_limit_are_listed_newest_first(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(search, "RANK_LIMIT", 2)
    monkeypatch.setattr(search, "ESTIMATE_MARGIN", 10**9)  # no estimates
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    best_but_old = desk_case_open(subject="Grinder grinder", symptom="grinder", received_at=at(1))
    newer = [desk_case_open(subject="x", symptom="a grinder", received_at=at(n)) for n in (2, 3)]
    client.force_login(agent)

    response = client.get(URL, {"q": "grinder"}, headers=HTMX)

    assert rows(response) == [newer[1].pk, newer[0].pk]
    assert total(response) == "More than 2 cases"
    assert every_page(client, {"q": "grinder"}) == [newer[1].pk, newer[0].pk, best_but_old.pk]
    assert every_page(client, {"q": "grinder", "sort": "oldest"}) == [
        best_but_old.pk, newer[0].pk, newer[1].pk,
    ]  # fmt: skip
    # sorting by something else needs fewer matches: newest first, and the page says why
    by_customer = client.get(URL, {"q": "grinder", "sort": "customer"}, headers=HTMX)
    assert rows(by_customer) == [newer[1].pk, newer[0].pk]
    assert "More than 2 cases match these words" in by_customer.content.decode()


def test_ranked_matches_page_by_offset_and_other_sorts_use_them(
    client, agent, desk_case_open, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    zeta, alpha = CustomerFactory(name="Zeta"), CustomerFactory(name="Alpha")
    best = desk_case_open(customer=zeta, subject="Grinder grinder", symptom="grinder grinder")
    middle = desk_case_open(customer=alpha, subject="Grinder", symptom="x")
    weakest = desk_case_open(customer=zeta, subject="x", symptom="a grinder")
    desk_case_open(subject="Pump", symptom="loud")
    client.force_login(agent)

    assert every_page(client, {"q": "grinder"}) == [best.pk, middle.pk, weakest.pk]
    assert every_page(client, {"q": "grinder", "sort": "customer"}) == [
        middle.pk, weakest.pk, best.pk,
    ]  # fmt: skip


def test_a_search_over_its_time_budget_says_so(client, agent, desk_case_open, monkeypatch):
    desk_case_open(subject="Grinder jammed")
    monkeypatch.setattr(search, "collect_matches", lambda text, queryset=None: search.Matches(None))

    def over_budget(*args, **kwargs):
        raise selectors.OverBudget

    monkeypatch.setattr(search, "newest_cases", over_budget)
    client.force_login(agent)

    response = client.get(URL, {"q": "grinder", "status": "new"}, headers=HTMX)

    assert response.status_code == 200
    assert rows(response) == []
    assert "This search takes too long with these filters" in response.content.decode()


@pytest.mark.parametrize("rank_limit", [1000, 2], ids=["best first", "newest first"])
def test_a_keyword_page_costs_the_same_queries_for_3_or_30_matches(
    client, agent, desk_case_open, desk_case_unit, monkeypatch, rank_limit,
    django_assert_max_num_queries,
):  # fmt: skip
    monkeypatch.setattr(search, "RANK_LIMIT", rank_limit)
    monkeypatch.setattr(search, "ESTIMATE_MARGIN", 10**9)  # no estimates
    client.force_login(agent)

    def measure(params: dict) -> int:
        client.get(URL, params, headers=HTMX)  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params, headers=HTMX).status_code == 200
        return len(queries)

    for _ in range(3):
        desk_case_open(subject="Grinder jammed", unit=desk_case_unit)
    few = [measure({"q": "grinder"}), measure({"q": "grinder", "status": "new"})]
    for _ in range(27):
        desk_case_open(subject="Grinder jammed", unit=desk_case_unit)
    # session, user, 4 pickers, codes, the matches (PostgreSQL: estimated, then collected
    # with a timeout set and undone), then
    # best first: ranked ids, the page's cases with their rows' joins; newest first: the page
    # (in a time budget too); snippets
    with django_assert_max_num_queries(7 + ESTIMATE + COUNT + max(2, COUNT) + 1):
        response = client.get(URL, {"q": "grinder"}, headers=HTMX)
    assert len(rows(response)) == 30
    assert [measure({"q": "grinder"}), measure({"q": "grinder", "status": "new"})] == few
