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
