"""Search building blocks: the query parser both databases share. (The name lookups are
tested with the customers: caseflow/customers/tests/test_name_lookup.py.)"""

from __future__ import annotations

import pytest

from caseflow.core.search import (
    Term,
    config_for,
    fold,
    fts5_query,
    identifier,
    parse_query,
    tsquery_text,
)

# --- the query parser -------------------------------------------------------------------------


def test_words_are_anded_and_lower_cased():
    assert parse_query("Pumpe LAUT") == [[Term(("pumpe",)), Term(("laut",))]]


def test_phrases_or_and_exclusions_follow_websearch_conventions():
    groups = parse_query('"Pumpe laut" or Mühle -neu')

    assert groups == [
        [Term(("pumpe", "laut"))],
        [Term(("mühle",)), Term(("neu",), negated=True)],
    ]
    assert tsquery_text(groups) == "('pumpe laut') | (('mühle':* | 'muehle':*) & !'neu':*)"
    assert fts5_query(groups) == '(("pumpe laut")) OR ((("mühl"* OR "muehl"*)) NOT "neu"*)'


def test_inner_punctuation_keeps_a_term_whole():
    assert parse_query("E-mail C-2026-000123 9.5 bar") == [
        [Term(("e-mail",)), Term(("c-2026-000123",)), Term(("9.5",)), Term(("bar",))]
    ]


def test_a_hyphen_inside_a_word_is_not_an_exclusion():
    assert parse_query("Wasser-Filter") == [[Term(("wasser-filter",))]]


def test_alternatives_of_exclusions_alone_are_dropped():
    assert parse_query("-pumpe") == []
    assert parse_query("-pumpe or laut") == [[Term(("laut",))]]


@pytest.mark.parametrize(
    "text",
    ['"', "((", "*", "NEAR(a b)", "a AND OR NOT b", "'; DROP TABLE x; --", "\x00", "\ud800",
     "🔥" * 100, "x" * 10_000, "a:b^c{d}", "or or or", "- -"],
)  # fmt: skip
def test_fts5_expressions_quote_every_word(text):
    expression = fts5_query(parse_query(text))

    # outside the quoted strings only FTS5 operators and brackets remain
    outside = expression.split('"')[::2]
    assert all(set(part) <= set("()* ANDORT") for part in outside)


def test_the_parser_bounds_its_work():
    groups = parse_query(" ".join(f"w{i}" for i in range(100)) + " " + "y" * 5000)

    assert sum(len(g) for g in groups) == 12
    assert all(len(w) <= 60 for g in groups for t in g for w in t.words)


@pytest.mark.parametrize(
    ("word", "folded"),
    [("pumpen", "pump"), ("pumpe", "pump"), ("bombas", "bomba"), ("bomba", "bomba"),
     ("motores", "motor"), ("gaskets", "gasket"), ("laut", "laut"), ("e05", "e05"),
     ("dichtungen", "dichtung")],
)  # fmt: skip
def test_fold_takes_off_one_plural_ending(word, folded):
    assert fold(word) == folded


def test_languages_map_to_configurations():
    assert [config_for(x) for x in ("de", "es", "en", "fr", "", None)] == [
        "caseflow_german", "caseflow_spanish", "caseflow_english", "caseflow_simple",
        "caseflow_simple", "caseflow_simple",
    ]  # fmt: skip


def test_identifiers_are_single_tokens_with_a_digit():
    assert identifier(" C-2026-000123 ") == "C-2026-000123"
    assert identifier("EM200-0001") == "EM200-0001"
    assert identifier("Pumpe") is None
    assert identifier("C 2026") is None
    assert identifier("1" * 41) is None
