"""Full-text search building blocks shared by the apps: language configurations and a safe
query parser that gives PostgreSQL and SQLite FTS5 the same query semantics.

What people type follows web-search conventions: words are ANDed, `"a phrase"` must appear
as written, `or` between words offers alternatives, `-word` excludes. Anything else (quotes
left open, `*`, `NEAR`, parentheses, SQL) is just text: the parser keeps words and drops the
rest, so no input can raise.

Both databases match the same way (`caseflow/cases/tests/test_search_parity.py` holds them
to it):

- a word of letters only, three or more of them, matches as a prefix of the indexed words,
  so "Entkalkung" finds *Entkalkungsanzeige* and "Pumpe" *Pumpendruck*; a word with digits
  or inner punctuation (a case number, a serial, an error code, "E-Mail") and a phrase
  match whole;
- accents need not be typed ("panaderia" finds *panadería*, "Backerei" *Bäckerei*), and a
  German word typed with ae/oe/ue or ss for ä/ö/ü or ß ("Baeckerei", "Strasse") also matches
  the spelling with them, and the other way round (`spellings`).

- PostgreSQL: documents are stemmed in the record's language (`config_for`) after
  `unaccent`; a query (`tsquery_text`) is normalised under every configuration in
  `QUERY_CONFIGS` and the results ORed, because the agent typing it doesn't know (or care)
  which language a case was written in.
- SQLite: FTS5 has no stemmers for German or Spanish; `fts5_query` quotes every word and
  matches it as a prefix after folding a plural ending ("Pumpen" → `"pump"*`), which finds
  most inflections the stemmers would, and a few more words besides. Its tokenizer drops
  accents (`remove_diacritics 2`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The customer's language → the PostgreSQL text search configuration of their documents:
# PostgreSQL's own, with `unaccent` before the stemmer (migration cases.0006).
LANGUAGE_CONFIGS = {"de": "caseflow_german", "es": "caseflow_spanish", "en": "caseflow_english"}
FALLBACK_CONFIG = "caseflow_simple"
QUERY_CONFIGS = ("caseflow_german", "caseflow_spanish", "caseflow_english", "caseflow_simple")

MAX_QUERY_CHARS = 500  # nobody types more into a search box; bounds the work per query
MAX_TERMS = 12
MAX_WORD_CHARS = 60

# A word: letters and digits, with inner dots, hyphens, slashes, @ and apostrophes kept, so
# "E-mail", "9.5", "C-2026-000123" and "EM200-0001" stay one term (both engines split them
# the same way inside a quoted phrase).
_WORD = r"[^\W_]+(?:[.\-/@'’][^\W_]+)*"
_TOKEN = re.compile(rf'(?P<neg>(?<!\S)-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>{_WORD}))')
_WORDS = re.compile(_WORD)
_PLURAL_ENDINGS = ("en", "es", "e", "s", "n")  # de/es/en plural and inflection endings
MIN_PREFIX = 3  # shorter words match whole: a prefix of one or two letters matches everything
# German spelled without its letters (ae for ä, ss for ß), and back; "que"/"qui" are no umlaut
_TO_LETTERS = re.compile(r"(?<!q)(ae|oe|ue)|ss")
_FROM_LETTERS = re.compile(r"[äöüß]")
_LETTERS = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
_DIGRAPHS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
MIN_RESPELL = 5  # "neue", "Boes": too short to tell a transliteration from a word


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several, that must (or, negated, must not) appear."""

    words: tuple[str, ...]
    negated: bool = False


def config_for(language: str | None) -> str:
    """The PostgreSQL text search configuration for documents in `language` (ISO 639-1)."""
    return LANGUAGE_CONFIGS.get(language or "", FALLBACK_CONFIG)


def clean_text(text: str | None, limit: int) -> str:
    """`text` cut to `limit` characters, without what a database refuses (NUL, lone
    surrogates from broken decoders)."""
    text = (text or "")[:limit].replace("\x00", " ")
    return text.encode("utf-8", "ignore").decode("utf-8")


def parse_query(text: str | None) -> list[list[Term]]:
    """What was typed, as alternatives (OR) of terms that must all hold (AND).

    Alternatives without a positive term are dropped (a query of exclusions alone would
    match nearly everything); so is everything past `MAX_TERMS`.
    """
    groups: list[list[Term]] = [[]]
    count = 0
    words: tuple[str, ...]
    for match in _TOKEN.finditer(clean_text(text, MAX_QUERY_CHARS)):
        if count >= MAX_TERMS:
            break
        if match["word"] is not None:
            words = (match["word"],)
            if not match["neg"] and words[0].lower() == "or":
                if groups[-1]:
                    groups.append([])
                continue
        else:
            words = tuple(_WORDS.findall(match["phrase"] or ""))
        words = tuple(w[:MAX_WORD_CHARS].lower() for w in words)
        if not words:
            continue
        groups[-1].append(Term(words=words, negated=bool(match["neg"])))
        count += 1
    return [group for group in groups if any(not term.negated for term in group)]


def prefixed(word: str) -> bool:
    """Whether `word` matches as a prefix: letters only, at least MIN_PREFIX of them."""
    return len(word) >= MIN_PREFIX and word.isalpha()


def spellings(word: str) -> tuple[str, ...]:
    """`word`, and for a word long enough to be German the same with ae/oe/ue/ss written as
    ä/ö/ü/ß or the other way round ("baeckerei" → "bäckerei", "müller" → "mueller"): the
    index drops accents, so "Bäckerei" is stored as *backerei*, and "Baeckerei" would not
    find it."""
    if len(word) < MIN_RESPELL or not word.isalpha():
        return (word,)
    found = [word]
    for pattern, table in ((_TO_LETTERS, _LETTERS), (_FROM_LETTERS, _DIGRAPHS)):
        respelled = pattern.sub(lambda m, t=table: t[m.group(0)], word)  # type: ignore[misc]
        if respelled not in found:
            found.append(respelled)
    return tuple(found)


def _tsquery_operand(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


def tsquery_text(groups: list[list[Term]], *, prefixes: bool = True) -> str:
    """The parsed query in `to_tsquery` syntax, for PostgreSQL to normalise under each
    configuration: every word and phrase quoted (nothing typed is read as an operator),
    prefix words marked `:*` (unless not `prefixes`: whole words only), respellings ORed,
    `!` for exclusions, `&` and `|`."""

    def operand(term: Term) -> str:
        if len(term.words) > 1:  # a phrase: one quoted operand, which PostgreSQL reads as <->
            return _tsquery_operand(" ".join(term.words))
        forms = [
            _tsquery_operand(w) + (":*" if prefixes and prefixed(w) else "")
            for w in spellings(term.words[0])
        ]
        return forms[0] if len(forms) == 1 else "(" + " | ".join(forms) + ")"

    return " | ".join(
        "(" + " & ".join(("!" if t.negated else "") + operand(t) for t in group) + ")"
        for group in groups
    )


def fold(word: str) -> str:
    """A light, language-neutral stem for SQLite: a plural or inflection ending off words
    long enough to keep four letters ("pumpen" → "pump", "bombas" → "bomba")."""
    if len(word) < 5 or any(ch.isdigit() for ch in word):
        return word
    for ending in _PLURAL_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def fts5_query(groups: list[list[Term]]) -> str:
    """The parsed query as an FTS5 MATCH expression. Every word is a quoted string (so
    nothing typed is read as FTS5 syntax); words of letters match as folded prefixes,
    respellings ORed."""

    def quoted(term: Term) -> str:
        if len(term.words) > 1:
            return '"' + " ".join(term.words).replace('"', "") + '"'
        forms = [
            '"' + fold(w).replace('"', "") + '"*' if prefixed(w) else '"' + w.replace('"', "") + '"'
            for w in spellings(term.words[0])
        ]
        return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"

    alternatives = []
    for group in groups:
        positive = " AND ".join(quoted(t) for t in group if not t.negated)
        negative = "".join(f" NOT {quoted(t)}" for t in group if t.negated)
        alternatives.append(f"(({positive}){negative})")
    return " OR ".join(alternatives)


def identifier(text: str | None) -> str | None:
    """The query itself when it could be a record number or serial number: one token with a
    digit in it ("C-2026-000123", "EM200-0001"); else None."""
    value = clean_text(text, MAX_QUERY_CHARS).strip()
    if not value or len(value) > 40 or any(ch.isspace() for ch in value):
        return None
    return value if any(ch.isdigit() for ch in value) else None
