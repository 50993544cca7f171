"""How a parsed query becomes an FTS5 expression and a `to_tsquery` text with the same
meaning: prefixes for words of letters, whole words for numbers and codes, respellings of
German umlauts and ß, and nothing typed read as an operator."""

from __future__ import annotations

import pytest

from caseflow.core.search import fts5_query, parse_query, prefixed, spellings, tsquery_text


@pytest.mark.parametrize(
    ("word", "expected"),
    [("pumpe", True), ("hei", True), ("ka", False), ("e05", False), ("e-mail", False),
     ("9.5", False), ("it's", False), ("bäckerei", True)],
)  # fmt: skip
def test_words_of_three_letters_or_more_match_as_prefixes(word, expected):
    assert prefixed(word) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("baeckerei", ("baeckerei", "bäckerei")), ("bäckerei", ("bäckerei", "baeckerei")),
     ("mueller", ("mueller", "müller")), ("strasse", ("strasse", "straße")),
     ("straße", ("straße", "strasse")), ("quelle", ("quelle",)), ("neue", ("neue",)),
     ("pumpe", ("pumpe",)), ("e05", ("e05",))],
)  # fmt: skip
def test_german_words_are_also_tried_with_umlauts_and_sharp_s_written_the_other_way(word, expected):
    assert spellings(word) == expected


def test_the_tsquery_text_marks_prefixes_and_keeps_numbers_and_phrases_whole():
    groups = parse_query('Entkalkung C-2026-000123 "pumpe laut" -ka or E05')

    assert tsquery_text(groups) == (
        "('entkalkung':* & 'c-2026-000123' & 'pumpe laut' & !'ka') | ('e05')"
    )
    assert fts5_query(groups) == (
        '(("entkalkung"* AND "c-2026-000123" AND "pumpe laut") NOT "ka") OR (("e05"))'
    )


@pytest.mark.parametrize(
    "text",
    ["it's", "l'eau d’or", "a'b'c", "\\'", "x' | 'y", "!pumpe & laut | :*", "a:* <-> b"],
)
def test_quotes_in_words_are_doubled_and_operators_stay_text(text):
    query = tsquery_text(parse_query(text))

    # outside the quoted operands only tsquery operators, brackets and blanks remain
    outside = query.replace("''", "").split("'")[::2]
    assert all(set(part) <= set("()&|!:* ") for part in outside)
