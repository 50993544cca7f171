"""Names as people type them: the words of a customer's or contact's name, folded so that a
lookup matches the start of any word, ignoring case and accents.

"Heike Zimmermann" is found by "zimm" and by "heike z"; "Panadería Sol" by "panaderia";
"Bäckerei Müller" by "bäck", "back", "baeck", "muller" and "mueller" (German ä/ö/ü typed as
a/o/u or as ae/oe/ue, ß as ss). Every stored word is lower case, without accents, and made of
letters and digits only, so the database compares plain strings in code-point order and a
prefix is a range of one index (`customers_nameword_word_idx`).

Storing: `name_words(name)` gives the words of a name with their spellings (a word with an
umlaut is stored twice: "muller" and "mueller"). Looking up: `query_terms(text)` gives what
was typed as terms, each a tuple of the prefixes any of which may match ("müll" → "mull",
"muell"); a name matches when every term matches the start of one of its words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

MAX_WORD_CHARS = 40  # longer words are stored and compared by their first 40 characters
MAX_NAME_WORDS = 16  # words kept per name (a name is at most 200 characters)
MAX_QUERY_TERMS = 5  # typed words used per lookup; more narrow nothing in practice

# A word: letters and digits; an apostrophe (' or U+2019) inside joins ("O'Brien").
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_APOSTROPHES = re.compile(r"['\u2019]")
# Letters Unicode does not decompose into a base letter and an accent.
_PLAIN = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# German umlauts as written without them (after case folding, which already made ß "ss").
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UMLAUTS = frozenset("äöü")


def _fold(word: str) -> str:
    """`word` (case-folded) without accents, as letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_PLAIN))
    return "".join(ch for ch in decomposed if ch.isalnum())[:MAX_WORD_CHARS]


def _spellings(word: str) -> list[str]:
    """The folded spellings of one case-folded word: plain, and with umlauts as ae/oe/ue."""
    word = unicodedata.normalize("NFC", word)
    spellings = [_fold(word)]
    if _UMLAUTS.intersection(word):
        spellings.append(_fold(word.translate(_GERMAN)))
    return [s for s in dict.fromkeys(spellings) if s]


def _raw_words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text or "").casefold())


def name_words(name: str) -> list[str]:
    """Every stored word of `name`, each spelling once ("Café O'Brien-Müller" → cafe,
    obrien, o, brien, muller, mueller)."""
    words: list[str] = []
    for raw in _raw_words(name)[:MAX_NAME_WORDS]:
        words.extend(_spellings(_APOSTROPHES.sub("", raw)))
        if _APOSTROPHES.search(raw):
            for part in _APOSTROPHES.split(raw):
                words.extend(_spellings(part))
    return list(dict.fromkeys(words))


def query_terms(text: str) -> list[tuple[str, ...]]:
    """What was typed, as terms that must all match: each term the prefixes of its spellings
    ("Müll Anna" → [("mull", "muell"), ("anna",)]); an empty list for nothing searchable."""
    terms: list[tuple[str, ...]] = []
    for raw in _raw_words(text):
        spellings = tuple(_spellings(_APOSTROPHES.sub("", raw)))
        if spellings and spellings not in terms:
            terms.append(spellings)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def index_rows(
    customers: Iterable[tuple[int, str, bool]],
    contacts: Iterable[tuple[int, int, str]],
) -> Iterator[tuple[str, int, int | None, bool]]:
    """The rows of the name index, (word, customer id, contact id or None, archived), for
    `customers` as (id, name, archived) ordered by id and their live `contacts` as (id,
    customer id, name) ordered by customer id. A contact's word that is also its customer's
    is left out (a person's contact usually bears the person's name)."""
    pending = iter(contacts)
    contact = next(pending, None)
    for customer_id, name, archived in customers:
        own = name_words(name)
        yield from ((word, customer_id, None, archived) for word in own)
        while contact is not None and contact[1] <= customer_id:
            if contact[1] == customer_id:
                yield from (
                    (word, customer_id, contact[0], archived)
                    for word in name_words(contact[2])
                    if word not in own
                )
            contact = next(pending, None)


def build_index(
    *, customer_model: Any, contact_model: Any, word_model: Any, using: str, batch: int = 5000
) -> int:
    """Fill the (empty) name index from every customer and live contact, `batch` rows per
    INSERT; the number of rows written. Takes the models as arguments so that a migration
    can pass its historical ones."""
    customers = (
        (pk, name, archived_at is not None)
        for pk, name, archived_at in customer_model.objects.using(using)
        .order_by("id")
        .values_list("id", "name", "archived_at")
        .iterator(chunk_size=batch)
    )
    contacts = (
        contact_model.objects.using(using)
        .filter(archived_at__isnull=True)
        .order_by("customer_id", "id")
        .values_list("id", "customer_id", "name")
        .iterator(chunk_size=batch)
    )
    written = 0
    rows = index_rows(customers, contacts)
    while chunk := list(itertools.islice(rows, batch)):
        word_model.objects.using(using).bulk_create(
            [
                word_model(word=word, customer_id=customer, contact_id=contact, archived=archived)
                for word, customer, contact, archived in chunk
            ]
        )
        written += len(chunk)
    return written
