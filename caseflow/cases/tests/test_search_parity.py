"""The same queries find the same cases on SQLite (FTS5) and on PostgreSQL (tsvector).

Every test here runs on whichever database the suite runs on (`scripts/test` on SQLite;
with DATABASE_URL on PostgreSQL): prefix matching of the query's words, accents and German
umlauts and ß written either way, and the words that must match whole (numbers, codes, two
letters, phrases)."""

from __future__ import annotations

import pytest

from caseflow.cases.search import search_case_ids
from caseflow.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(db) -> dict[str, Customer]:
    return {
        language: Customer.objects.create(
            number=f"CU-9700{n}", kind="organisation", name=f"Parity {language}", language=language
        )
        for n, language in enumerate(("de", "es", "en"))
    }


# (customer language, subject, symptom, query, found)
CASES = [
    # prefixes: the query's words match the start of longer (compound) words
    ("de", "Anzeige leuchtet", "Entkalkungsanzeige blinkt rot", "Entkalkung", True),
    ("de", "Druck zu niedrig", "Pumpendruck schwankt", "Pumpe", True),
    ("de", "Dichtungen getauscht", "", "Dichtung", True),
    ("de", "Pumpe defekt", "", "Pumpen", True),
    ("de", "Heizung kalt", "", "hei", True),
    ("de", "Kaffee dünn", "", "ka", False),  # two letters match a whole word only
    ("es", "Bombas ruidosas", "", "bomba", True),
    # accents need not be typed, and may be typed where the text has none
    ("es", "Panadería La Espiga", "La máquina no calienta", "panaderia", True),
    ("es", "La máquina no calienta", "", "maquina", True),
    ("es", "La maquina no calienta", "", "máquina", True),
    ("de", "Bäckerei Sonnenschein", "", "Backerei", True),
    ("de", "Bäckerei Sonnenschein", "", "Baeckerei", True),
    ("de", "Backerei Sonnenschein", "", "Bäckerei", True),
    ("de", "Mueller hat angerufen", "", "Müller", True),
    ("de", "Müller hat angerufen", "", "Mueller", True),
    ("de", "Straße gesperrt", "", "Strasse", True),
    ("de", "Strasse gesperrt", "", "Straße", True),
    ("en", "Café owner called", "", "cafe", True),
    # numbers, codes and words with inner punctuation match whole
    ("de", "Fehler E05 im Display", "", "E05", True),
    ("de", "Fehler E05 im Display", "", "E0", False),
    ("de", "Fehler E051 im Display", "", "E05", False),
    ("de", "E-Mail kommt nicht an", "", "E-Mail", True),
    ("en", "Pressure 9.5 bar", "", "9.5", True),
    # phrases keep their order; exclusions exclude
    ("de", "Pumpe laut", "", '"pumpe laut"', True),
    ("de", "Pumpe laut", "", '"laut pumpe"', False),
    ("de", "Pumpe laut", "", "pumpe -laut", False),
    ("de", "Pumpe schwach", "", "pumpe -laut", True),
    ("de", "Pumpe schwach", "", "mahlwerk or pumpe", True),
]


@pytest.mark.parametrize(
    ("language", "subject", "symptom", "query", "found"),
    CASES,
    ids=[f"{query} in {subject!r}" for _, subject, _, query, _ in CASES],
)
def test_the_same_query_finds_the_same_case_on_every_database(
    open_case, customers, language, subject, symptom, query, found
):
    case = open_case(customer=customers[language], subject=subject, symptom=symptom)
    open_case(customer=customers[language], subject="Gerät ohne Befund", symptom="")

    assert search_case_ids(query) == ([case.pk] if found else [])


def test_a_case_number_matches_whole_and_a_part_of_it_does_not(open_case, customers):
    case = open_case(customer=customers["de"], subject="Gerät kaputt", symptom="")

    assert search_case_ids(case.number) == [case.pk]
    assert search_case_ids(case.number[:-1]) == []
