"""The header search: cases by words (ranked) or number, customers and units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow.desk import selectors

pytestmark = pytest.mark.django_db


def search(client, q: str) -> str:
    response = client.get(reverse("desk:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</ul>", start)]


def test_the_header_search_form_points_here(client, agent):
    client.force_login(agent)
    html = client.get(reverse("desk:incoming")).content.decode()
    assert f'action="{reverse("desk:search")}"' in html


def test_a_case_number_finds_the_case(client, agent, call_customer, call_open_case):
    case = call_open_case(call_customer, subject="Grinder blocked")
    client.force_login(agent)
    html = search(client, case.number.lower())
    assert case.number in section(html, "search-cases")


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
def test_words_find_cases_by_full_text(client, agent, call_customer, call_open_case):
    hit = call_open_case(call_customer, subject="Grinder blocked", symptom="beans stuck")
    miss = call_open_case(call_customer, subject="Display flickers")
    client.force_login(agent)
    cases = section(search(client, "grinder"), "search-cases")
    assert hit.number in cases and miss.number not in cases


def test_customers_and_units_have_their_sections(client, agent, call_customer, call_register):
    call_register(call_customer, "EM2000-0001")
    client.force_login(agent)
    html = search(client, "Erika")
    assert "Erika Mustermann" in section(html, "search-customers")
    html = search(client, "EM2000-0001")
    assert "EM2000-0001" in section(html, "search-units")
    assert "Erika Mustermann" in section(html, "search-customers")  # registered to her
    html = search(client, "+49 30 1234567")
    assert "Erika Mustermann" in section(html, "search-customers")


def test_an_empty_search_explains_itself(client, agent):
    client.force_login(agent)
    html = client.get(reverse("desk:search")).content.decode()
    assert "Type in the search box" in html


def test_roles_only_see_their_sections_and_anonymous_log_in(client, back_office, call_customer):
    assert client.get(reverse("desk:search"), {"q": "x"}).status_code == 302
    client.force_login(back_office)
    assert "Erika Mustermann" in search(client, "Erika")


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
def test_a_serial_in_lower_case_finds_the_units_cases(
    client, agent, call_customer, call_register, call_open_case
):
    unit = call_register(call_customer, "BE2-2512-00264").unit
    case = call_open_case(call_customer, subject="Grinder blocked", unit=unit)
    call_open_case(call_customer, subject="Display flickers")
    client.force_login(agent)

    cases = section(search(client, "be2-2512-00264"), "search-cases")

    assert case.number in cases and cases.count("list-group-item py-2") == 1


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
def test_words_matching_many_cases_are_listed_newest_first_and_the_page_says_so(
    client, agent, call_customer, call_open_case, monkeypatch
):
    from caseflow.cases import search as case_search

    monkeypatch.setattr(case_search, "RANK_LIMIT", 2)

    monkeypatch.setattr(case_search, "ESTIMATE_MARGIN", 10**9)  # no estimates
    opened = [call_open_case(call_customer, subject="Grinder blocked") for _ in range(3)]
    client.force_login(agent)

    html = search(client, "grinder")

    cases = section(html, "search-cases")
    assert [cases.index(c.number) for c in reversed(opened)] == sorted(
        cases.index(c.number) for c in opened
    )
    assert 'data-testid="search-cases-newest"' in html
    assert "/cases/?q=grinder" in html
    monkeypatch.setattr(case_search, "RANK_LIMIT", 10)
    assert 'data-testid="search-cases-newest"' not in search(client, "grinder")


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
def test_hostile_words_are_shown_escaped(client, agent, call_customer, call_open_case):
    call_open_case(call_customer, subject="<img src=x onerror=alert(1)> grinder")
    client.force_login(agent)

    html = search(client, '<img src=x onerror=alert(1)> "grinder')

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; grinder" in section(html, "search-cases")


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
@pytest.mark.parametrize("q", ["grinder", "C-2026-000001", "EM2000-0001"])
def test_the_header_search_costs_the_same_queries_for_3_or_20_cases(
    client, agent, call_customer, call_register, call_open_case, q
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = call_register(call_customer, "EM2000-0001").unit
    client.force_login(agent)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            search(client, q)
        return len(queries)

    for _ in range(3):
        call_open_case(call_customer, subject="Grinder blocked", unit=unit)
    few = measure()
    for _ in range(17):
        call_open_case(call_customer, subject="Grinder blocked", unit=unit)
    assert measure() == few


def test_the_cases_are_read_by_key_after_the_search(agent, call_customer, call_open_case):
    """The search reads its own table; the cases shown are read by primary key afterwards
    (joining the list's tables first made PostgreSQL scan four big tables at 1M cases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_open_case(call_customer, subject="Grinder blocked")

    with CaptureQueriesContext(connection) as queries:
        found = selectors.cases_found(viewer=agent, text="grinder")

    assert [c.subject for c in found.cases] == ["Grinder blocked"]
    case_reads = [q["sql"] for q in queries if 'FROM "cases_case"' in q["sql"]]
    assert len(case_reads) == 1 and '"cases_case"."id" IN (' in case_reads[0]


@pytest.mark.skipif(not selectors.search_available(), reason="the search module is not installed")
def test_a_case_or_serial_number_is_one_indexed_lookup_and_a_missing_one_searches_the_text(
    agent, call_customer, call_register, call_open_case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = call_register(call_customer, "BE2-2512-00264").unit
    older = call_open_case(call_customer, subject="Grinder blocked", unit=unit)
    newer = call_open_case(call_customer, subject="Grinder again", unit=unit)
    mention = call_open_case(call_customer, subject="Customer quotes C-2026-999999")

    for text, expected in (
        (older.number.lower(), [older]),
        ("be2-2512-00264", [newer, older]),
        ("C-2026-999999", [mention]),  # no such case: the text that mentions it
    ):
        with CaptureQueriesContext(connection) as queries:
            found = selectors.cases_found(viewer=agent, text=text)
        assert [c.pk for c in found.cases] == [c.pk for c in expected]
        searched = any("cases_casesearch" in q["sql"] for q in queries)
        assert searched is (text == "C-2026-999999")


def test_a_search_over_its_time_budget_says_so_instead_of_finding_nothing(
    client, agent, call_customer, call_open_case, monkeypatch
):
    from caseflow.cases import search as case_search

    call_open_case(call_customer, subject="Grinder blocked")
    monkeypatch.setattr(
        case_search,
        "find_case_ids",
        lambda text, limit=20: case_search.Found([], None, too_slow=True),
    )
    client.force_login(agent)

    html = search(client, "grinder")

    assert 'data-testid="search-cases-too-slow"' in html
