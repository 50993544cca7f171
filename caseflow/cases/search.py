"""Full-text search of cases: the one module that knows how cases are indexed and found.

A case's document is its number, its unit's serial number and its subject (weighted most),
its symptom, diagnosis and solution, and the text of its timeline events (weighted least).
The services keep it current in the same transaction as the change: `index_case` after the
case was opened or its text or unit changed, `index_event_text` after an event with text was
written. `reindex_cases` rebuilds everything (`manage.py reindex_search`, after a bulk load).
Reads: `find_case_ids` / `search_case_ids` (ids, best or newest first), `count_matches`,
`filter_cases` (a queryset restricted to the matches, best first, or every match for the
caller to order) and `snippets` (why each case of a page matched). Ranking considers the
newest RANK_LIMIT matches only, so its cost is bounded however common the word; a word that
matches more is shown newest first, read in date order through an index.

The index is derived data in `cases_casesearch`, a table Django does not model because its
shape differs per database (migrations 0003 and 0004; docs/search.md):

- PostgreSQL: `(case_id PK, received_at, config regconfig, document tsvector)` with a GIN
  index on `document` and a B-tree on `(received_at DESC, case_id DESC)`, stemmed in the
  customer's language after `unaccent` (migration 0006). An event appends
  `to_tsvector(config, text)`; any other change rebuilds the case's document from its rows,
  so words taken out of a diagnosis stop matching. Queries go through
  `cases_search_query(text)`, which normalises them under every configuration and ORs the
  distinct results (see caseflow.core.search); ranked with `ts_rank`.
- SQLite: an FTS5 table (rowid = case id; columns subject, body, events; unicode61 without
  diacritics), ranked with bm25; every change rebuilds the case's row.

A query that is a case number or a serial number as typed ranks those cases above every
other match. Both databases answer in the same shape; the ranking details differ.
"""

# The SQL here is assembled from this module's constants only; what people type is always a
# query parameter (and parsed into plain words first, see caseflow.core.search).
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from caseflow.cases.models import Case
from caseflow.core.search import (
    FALLBACK_CONFIG,
    LANGUAGE_CONFIGS,
    clean_text,
    fts5_query,
    identifier,
    parse_query,
    tsquery_text,
)

TABLE = "cases_casesearch"
PG_INDEX = "cases_search_document_idx"
PG_RECEIVED_INDEX = "cases_search_received_idx"
PG_FILLFACTOR = 90  # room on each page for a document's next version (an event appended)
MAX_EVENT_CHARS = 20_000  # of one text (a mail with its quoted history)
MAX_EVENTS_CHARS = 200_000  # of all of a case's event texts, when a document is rebuilt
MAX_DOCUMENT_BYTES = 200_000  # past this, PostgreSQL stops appending events to a document
EXACT_RANK = 1e9  # an exact case or serial number ranks above every text match
DEFAULT_LIMIT = 200
# Ranking reads every candidate's whole document, so a common word would cost more the more
# cases it matches. Ranked results are the best among the newest RANK_LIMIT matches (plus an
# exact case or serial number, wherever it is): every match, when the words match at most
# RANK_LIMIT cases (`count_matches` tells); past that, readers show the newest matches first.
RANK_LIMIT = 2000
# Collecting the matches reads the GIN index and a heap page per match (up to RANK_LIMIT + 1);
# a word whose prefix is common costs every posting of it. Past this, a search is shown
# newest first without a count.
SEARCH_BUDGET_MS = 30
# Matches the planner expects above RANK_LIMIT times this are not collected (a common word:
# collecting RANK_LIMIT of them would read as many pages, to learn only that there are more).
ESTIMATE_MARGIN = 4
# Snippets: the text shown around the matched words, cut from at most this much of a case.
SNIPPET_SOURCE_CHARS = 1500  # of each of symptom, diagnosis, solution, and of the events
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"  # around each matched word (private use)
SQLITE_WEIGHTS = "10.0, 4.0, 1.0"  # bm25 weights: subject, body, events
# Fields whose change needs the case's document rebuilt (`unit`: its serial number).
INDEXED_FIELDS = frozenset({"subject", "symptom", "diagnosis", "solution", "unit"})


# --- SQL per database -------------------------------------------------------------------------


def _pg_config(language: str) -> str:
    whens = " ".join(f"WHEN '{lang}' THEN '{cfg}'" for lang, cfg in LANGUAGE_CONFIGS.items())
    return f"(CASE {language} {whens} ELSE '{FALLBACK_CONFIG}' END)::regconfig"


_PG_HEADER = f"""
    setweight(to_tsvector(x.cfg, concat_ws(' ', c.number, u.serial, c.subject)), 'A')
    || setweight(to_tsvector(x.cfg, left(c.symptom, {MAX_EVENT_CHARS})), 'B')
    || setweight(to_tsvector(x.cfg, left(c.diagnosis, {MAX_EVENT_CHARS})), 'B')
    || setweight(to_tsvector(x.cfg, left(c.solution, {MAX_EVENT_CHARS})), 'B')
    || to_tsvector(x.cfg, coalesce(left(ev.text, {MAX_EVENTS_CHARS}), ''))
"""
_PG_FROM = f"""
FROM cases_case c
JOIN customers_customer cu ON cu.id = c.customer_id
LEFT JOIN catalog_unit u ON u.id = c.unit_id
CROSS JOIN LATERAL (SELECT {_pg_config("cu.language")} AS cfg) x
"""
_PG_EVENT_TEXT = f"string_agg(left(e.text, {MAX_EVENT_CHARS}), ' ' ORDER BY e.id)"

# One or several cases, rebuilt from their rows (the service's own writes included).
PG_UPSERT = f"""
INSERT INTO {TABLE} (case_id, received_at, config, document)
SELECT c.id, c.received_at, x.cfg, {_PG_HEADER}
{_PG_FROM}
LEFT JOIN LATERAL (
    SELECT {_PG_EVENT_TEXT} AS text
    FROM cases_timelineevent e WHERE e.case_id = c.id AND e.text <> ''
) ev ON true
WHERE c.id = ANY(%s)
ON CONFLICT (case_id) DO UPDATE
SET received_at = EXCLUDED.received_at, config = EXCLUDED.config, document = EXCLUDED.document
"""
# The same for one case (every service's case): `= %s` lets PostgreSQL keep one generic plan
# for the prepared statement; with `= ANY(%s)` it planned it again on every call (0.3 ms).
PG_UPSERT_ONE = PG_UPSERT.replace("WHERE c.id = ANY(%s)", "WHERE c.id = %s")

# Every case at once, into a new table: one pass over the events, grouped; written in the
# order the cases were received, so the newest matches of a word lie on the last pages.
PG_NEW = f"{TABLE}_new"
PG_REBUILD = f"""
CREATE TABLE {PG_NEW} WITH (fillfactor = {PG_FILLFACTOR}) AS
SELECT c.id AS case_id, c.received_at, x.cfg AS config, {_PG_HEADER} AS document
{_PG_FROM}
LEFT JOIN (
    SELECT e.case_id, {_PG_EVENT_TEXT} AS text
    FROM cases_timelineevent e WHERE e.text <> '' GROUP BY e.case_id
) ev ON ev.case_id = c.id
ORDER BY c.received_at, c.id
"""

PG_APPEND = f"""
UPDATE {TABLE}
SET document = CASE WHEN pg_column_size(document) < {MAX_DOCUMENT_BYTES}
                    THEN document || to_tsvector(config, %s) ELSE document END
WHERE case_id = %s
"""

PG_FINISH_NEW = (
    f"ALTER TABLE {PG_NEW} ALTER case_id SET NOT NULL, ALTER received_at SET NOT NULL, "
    "ALTER config SET NOT NULL, ALTER document SET NOT NULL",
    f"ALTER TABLE {PG_NEW} ADD CONSTRAINT {PG_NEW}_pkey PRIMARY KEY (case_id)",
    f"CREATE INDEX {PG_INDEX}_new ON {PG_NEW} USING gin (document)",
    f"CREATE INDEX {PG_RECEIVED_INDEX}_new ON {PG_NEW} (received_at DESC, case_id DESC)",
)
PG_SWAP = (
    f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE",
    f"DROP TABLE {TABLE}",
    f"ALTER TABLE {PG_NEW} RENAME TO {TABLE}",
    f"ALTER INDEX {PG_NEW}_pkey RENAME TO {TABLE}_pkey",
    f"ALTER INDEX {PG_INDEX}_new RENAME TO {PG_INDEX}",
    f"ALTER INDEX {PG_RECEIVED_INDEX}_new RENAME TO {PG_RECEIVED_INDEX}",
)
# What the services changed while the new table was built.
PG_CHANGED_SINCE = """
SELECT id FROM cases_case WHERE updated_at >= %s
UNION SELECT case_id FROM cases_timelineevent WHERE created_at >= %s
"""

SQLITE_UPSERT = f"""
INSERT OR REPLACE INTO {TABLE} (rowid, subject, body, events)
SELECT c.id,
       c.number || ' ' || coalesce(u.serial, '') || ' ' || c.subject,
       substr(c.symptom, 1, {MAX_EVENT_CHARS}) || ' '
           || substr(c.diagnosis || ' ' || c.solution, 1, {MAX_EVENT_CHARS}),
       coalesce(substr((SELECT group_concat(substr(e.text, 1, {MAX_EVENT_CHARS}), ' ')
                        FROM cases_timelineevent e
                        WHERE e.case_id = c.id AND e.text <> ''), 1, {MAX_EVENTS_CHARS}), '')
FROM cases_case c
LEFT JOIN catalog_unit u ON u.id = c.unit_id
WHERE c.id IN ({{ids}})
"""

# The ids of the cases numbered as typed, or on a unit with the serial number typed (in any
# letter case).
EXACT = (
    "SELECT c.id FROM cases_case c WHERE c.number = %s UNION "
    "SELECT c.id FROM cases_case c JOIN catalog_unit u ON u.id = c.unit_id "
    "WHERE upper(u.serial) = %s"  # catalog_unit_serial_upper_idx: any letter case
)


class _Query:
    """A parsed search, with the SQL fragments that match and rank documents."""

    def __init__(self, text: str, *, whole_words: bool = False) -> None:
        self.groups = parse_query(text)
        value = identifier(text)
        self.exact_params = [value.upper(), value.upper()] if value else []
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            self.param = tsquery_text(self.groups, prefixes=not whole_words)
        else:
            self.param = fts5_query(self.groups)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def match(self, table: str, *, walk: bool = False) -> tuple[str, list[Any]]:
        """WHERE condition: `table` (the search table or its alias) matches. `walk`: on
        PostgreSQL in a form the GIN index cannot serve, for a reader that walks the date
        index and checks each document (see `newest_cases`)."""
        if self.postgres:
            sql = f"{table}.document @@ cases_search_query(%s)"
            return (f"coalesce({sql}, false)" if walk else sql), [self.param]
        return f"{table} MATCH %s", [self.param]

    def ids(self, limit: int | None = None) -> tuple[str, list[Any]]:
        """A SELECT of the ids of the matching cases (at most `limit`, in no order), on the
        search table alone."""
        if self.postgres:
            sql = f"SELECT case_id FROM {TABLE} WHERE document @@ cases_search_query(%s)"
        else:
            sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
        if limit is None:
            return sql, [self.param]
        return f"{sql} LIMIT %s", [self.param, limit]

    def window(self, key: str) -> tuple[str, list[Any]]:
        """WHERE condition: `key` (the SQL of a case id) is among the newest RANK_LIMIT
        matches, or is the case or serial number typed. Implies the match."""
        if self.postgres:
            sql = (
                f"SELECT w.case_id FROM {TABLE} w WHERE w.document @@ cases_search_query(%s) "
                f"ORDER BY w.received_at DESC, w.case_id DESC LIMIT {RANK_LIMIT}"
            )
        else:
            sql = (
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s "
                f"ORDER BY rowid DESC LIMIT {RANK_LIMIT}"
            )
        params: list[Any] = [self.param]
        if self.exact_params:
            sql = f"SELECT * FROM ({sql}) newest UNION {EXACT}"
            params += self.exact_params
        return f"{key} IN ({sql})", params

    def rank(self, table: str, case_id: str) -> tuple[str, list[Any]]:
        """SELECT expression: the rank of the row of `table` (higher is better), exact
        numbers first. `case_id` is the SQL of its case id."""
        if self.postgres:
            sql, params = f"ts_rank({table}.document, cases_search_query(%s))", [self.param]
        else:
            sql, params = f"-bm25({table}, {SQLITE_WEIGHTS})", []
        if self.exact_params:
            sql = f"({sql} + CASE WHEN {case_id} IN ({EXACT}) THEN {EXACT_RANK} ELSE 0 END)"
            params += self.exact_params
        return sql, params


# --- writing ----------------------------------------------------------------------------------


def index_case(case: Case) -> None:
    """(Re)build `case`'s document from its rows: after it was opened, or after a field in
    `INDEXED_FIELDS` changed. Call inside the service's transaction, after saving."""
    _upsert([case.pk])


def index_event_text(case: Case, text: str) -> None:
    """Add the text of a new timeline event to `case`'s document (after the event row was
    written, in the same transaction)."""
    if not text.strip():
        return
    if connection.vendor != "postgresql":
        _upsert([case.pk])
        return
    with connection.cursor() as cursor:
        cursor.execute(PG_APPEND, [clean_text(text, MAX_EVENT_CHARS), case.pk])
        missing = cursor.rowcount == 0
    if missing:  # a case from before the index, or from a bulk load: build it whole
        _upsert([case.pk])


def _pg_rebuild() -> int:
    with connection.cursor() as cursor:
        # the app servers' clocks (updated_at, created_at) may run a little behind the database's
        cursor.execute("SELECT statement_timestamp() - interval '5 minutes'")
        started = cursor.fetchone()[0]
        with transaction.atomic():
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(f"DROP TABLE IF EXISTS {PG_NEW}")
            cursor.execute(PG_REBUILD)
            count = cursor.rowcount
            for statement in PG_FINISH_NEW:
                cursor.execute(statement)
        with transaction.atomic():
            for statement in PG_SWAP:
                cursor.execute(statement)
            cursor.execute(PG_CHANGED_SINCE, [started, started])
            _upsert([row[0] for row in cursor.fetchall()])
        cursor.execute(f"ANALYZE {TABLE}")
    return count


def _upsert(ids: Sequence[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if len(ids) == 1:
                cursor.execute(PG_UPSERT_ONE, [ids[0]])
            else:
                cursor.execute(PG_UPSERT, [list(ids)])
        else:
            cursor.execute(SQLITE_UPSERT.format(ids=", ".join(["%s"] * len(ids))), list(ids))


def reindex_cases(
    *, batch: int | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild the whole index; the number of cases indexed.

    PostgreSQL without `batch`: every case with one CREATE TABLE … AS SELECT into a new
    table, its keys and GIN index built afterwards, then swapped in a short transaction
    that also re-indexes what the services changed meanwhile: the desk keeps searching and
    writing the old table until then. With `batch` (and always on SQLite): `batch` cases per
    transaction, in id order, in place.
    """
    if connection.vendor == "postgresql" and batch is None:
        count = _pg_rebuild()
        if progress:
            progress(count)
        return count
    batch = batch or 2000
    if connection.vendor != "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
    count, last = 0, 0
    while True:
        ids = list(
            Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        with transaction.atomic():
            _upsert(ids)
        count, last = count + len(ids), ids[-1]
        if progress:
            progress(count)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {TABLE}")
        else:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    return count


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matches:
    """The cases a search matched, collected up to RANK_LIMIT + 1, in no order."""

    ids: list[int] | None  # None: not collected (too many, or over the time budget)
    # Matched as whole (stemmed) words, not as prefixes: prefix matching took too long.
    whole_words: bool = False
    # Not collected: PostgreSQL's statistics put them far above RANK_LIMIT.
    many: bool = False

    @property
    def count(self) -> int | None:
        """How many were collected (RANK_LIMIT + 1: more), None when unknown."""
        if self.many:
            return RANK_LIMIT + 1
        return None if self.ids is None else len(self.ids)

    @property
    def few(self) -> bool:
        """All of them are in `ids` (at most RANK_LIMIT): they can be ranked or sorted."""
        return self.ids is not None and len(self.ids) <= RANK_LIMIT


@dataclass(frozen=True)
class Found:
    """The ids a search found, and how they are ordered."""

    ids: list[int]
    # The matches, counted up to RANK_LIMIT + 1 (more than RANK_LIMIT: "more"); None when
    # counting took longer than its budget (`selectors.bounded_rows`).
    count: int | None
    whole_words: bool = False  # see Matches
    too_slow: bool = False  # reading the newest matches took longer than the budget

    @property
    def ranked(self) -> bool:
        """Best first (the words match at most RANK_LIMIT cases); else newest first."""
        return self.count is not None and self.count <= RANK_LIMIT


def collect_matches(text: str, queryset: QuerySet[Case] | None = None) -> Matches:
    """The ids of the cases matching `text` — of `queryset`, or of every case — up to
    RANK_LIMIT + 1 of them, each attempt within SEARCH_BUDGET_MS (`selectors.bounded_rows`).

    The only read of the GIN index: ranking, sorting and counting the matches go on from
    these ids by primary key. A word of letters matches as a prefix, and on PostgreSQL a
    prefix costs every posting of every word it begins — a common word in an AND with a rare
    one (in ~10 % of the cases, "Rückruf") is read whole, where a whole word is skipped
    through. When the prefixes take longer than the budget, the words are matched whole
    (stemmed) instead (`whole_words`); when that does too, `ids` is None: too many to
    rank, show them newest first. On PostgreSQL a search the planner expects to match more
    than ESTIMATE_MARGIN times RANK_LIMIT cases (`_estimate`: one EXPLAIN) is not collected at
    all (`many`): collecting would read RANK_LIMIT pages to learn only that there are more."""
    from caseflow.cases.selectors import bounded_rows, ids_up_to

    if not _Query(text):
        return Matches(ids=[])
    if connection.vendor == "postgresql" and (
        _estimate(text, queryset) > ESTIMATE_MARGIN * RANK_LIMIT
    ):
        return Matches(ids=None, many=True)
    found: list[int] | None = None
    attempts = (False, True) if connection.vendor == "postgresql" else (False,)
    for whole_words in attempts:
        query = _Query(text, whole_words=whole_words)
        if queryset is not None:
            matched = filter_cases(queryset, text, ranked=False, whole_words=whole_words)
            found = ids_up_to(matched, RANK_LIMIT, budget_ms=SEARCH_BUDGET_MS)
        else:
            rows = bounded_rows(*query.ids(RANK_LIMIT + 1), budget_ms=SEARCH_BUDGET_MS)
            found = None if rows is None else [row[0] for row in rows]
        if found is not None:
            return Matches(ids=found, whole_words=whole_words)
    return Matches(ids=None)


def _estimate(text: str, queryset: QuerySet[Case] | None) -> float:
    """How many cases PostgreSQL's planner expects to match (its statistics of the search
    table, ANALYZEd by `reindex_search` and autovacuum): one EXPLAIN, no rows read. For a
    single word in the statistics' most common ones it is close (a word in 1 % of 1M cases:
    10,841 expected, 10,239 found); for rarer words and combinations, a guess on the low
    side — which only means they are collected and counted."""
    query = _Query(text)
    params: Sequence[Any]
    if queryset is None:
        sql, params = query.ids()
    else:
        matched = filter_cases(queryset, text, ranked=False).order_by().values("pk")
        sql, params = matched.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", list(params))
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def rank_ids(
    ids: Sequence[int],
    text: str,
    *,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    whole_words: bool = False,
) -> list[int]:
    """`ids` (matches of `text`, at most RANK_LIMIT: from `collect_matches`) best first —
    the case or serial number typed, then by relevance, then newest — from `offset`, at most
    `limit`. One query, by primary key: no index scan of the words again. `whole_words`: as
    `collect_matches` matched them."""
    query = _Query(text, whole_words=whole_words)
    ids = list(ids)[: RANK_LIMIT + 1]
    if not query or not ids or limit < 1:
        return []
    if query.postgres:
        rank, rank_params = query.rank("s", "s.case_id")
        sql = (
            f"SELECT s.case_id FROM {TABLE} s WHERE s.case_id = ANY(%s) "
            f"ORDER BY {rank} DESC, s.received_at DESC, s.case_id DESC LIMIT %s OFFSET %s"
        )
        params = [ids, *rank_params, limit, offset]
    else:
        # bm25() needs the FTS5 MATCH in the same query
        rank, rank_params = query.rank(TABLE, f"{TABLE}.rowid")
        sql = (
            f"SELECT c.id FROM {TABLE} JOIN cases_case c ON c.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid IN ({', '.join(['%s'] * len(ids))}) "
            f"ORDER BY {rank} DESC, c.received_at DESC, c.id DESC LIMIT %s OFFSET %s"
        )
        params = [query.param, *ids, *rank_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def newest_ids(text: str, *, limit: int = DEFAULT_LIMIT, whole_words: bool = False) -> list[int]:
    """The case or serial number typed, then the newest cases matching `text`, at most
    `limit`. On PostgreSQL read through `cases_search_received_idx` until `limit` match, as
    `newest_cases` does. One query."""
    query = _Query(text, whole_words=whole_words)
    if not query or limit < 1:
        return []
    if query.postgres:
        match, _params = query.match("w", walk=True)
        newest = (
            f"SELECT w.case_id, 1 AS exact_last, w.received_at FROM {TABLE} w WHERE {match} "
            "ORDER BY w.received_at DESC, w.case_id DESC LIMIT %s"
        )
    else:
        newest = (
            f"SELECT c.id, 1 AS exact_last, c.received_at FROM {TABLE} "
            f"JOIN cases_case c ON c.id = {TABLE}.rowid WHERE {TABLE} MATCH %s "
            "ORDER BY c.received_at DESC, c.id DESC LIMIT %s"
        )
    params: list[Any] = [query.param, limit]
    if not query.exact_params:
        sql = f"SELECT * FROM ({newest}) n"
    else:
        no_time = "NULL::timestamptz" if query.postgres else "NULL"
        sql = (
            f"SELECT * FROM (SELECT e.id, 0 AS exact_last, {no_time} AS received_at "
            f"FROM ({EXACT}) e UNION ALL SELECT * FROM ({newest}) n) found "
            "ORDER BY exact_last, received_at DESC, 1 DESC LIMIT %s"
        )
        params = [*query.exact_params, *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


def newest_cases(
    queryset: QuerySet[Case],
    text: str,
    *,
    after: tuple[datetime, int] | None = None,
    limit: int = DEFAULT_LIMIT,
    oldest: bool = False,
    whole_words: bool = False,
) -> list[Case]:
    """Cases of `queryset` matching `text`, newest first (or oldest), after the case received
    at `after` = (received_at, id), at most `limit`: a page in date order through every
    match, however many.

    For words that match many cases (more than RANK_LIMIT, or too many to collect in time).
    PostgreSQL walks `cases_search_received_idx` (the search table is written in the order
    cases were received, so the walk reads consecutive pages), checks each document and
    joins only the cases that match: a word in 1 % of the cases costs ~100 rows per case
    shown, one in 0.2 % ~500. The match is written so that the GIN index cannot serve it:
    for words it misjudges (two words, prefixes: "drip tray" expected in 82 cases, found in
    9,991) the planner would otherwise read and sort every match (250 ms instead of 2). The
    cursor is a row comparison on the search table's own columns, so a deep page starts at
    the cursor. SQLite orders by the case's columns."""
    query = _Query(text, whole_words=whole_words)
    if not query or limit < 1:
        return []
    table = connection.ops.quote_name(TABLE)
    cases = connection.ops.quote_name(Case._meta.db_table)
    if query.postgres:
        key, received = f"{table}.case_id", f"{table}.received_at"
    else:
        key, received = f"{table}.rowid", f"{cases}.received_at"
    match, params = query.match(table, walk=True)
    where = [f"{key} = {cases}.id", match]
    if after is not None:
        where.append(f"({received}, {key}) {'>' if oldest else '<'} (%s, %s)")
        # as the database stores it (SQLite compares text: "… 09:00:02" < "… 09:00:02+00:00")
        params = [*params, connection.ops.adapt_datetimefield_value(after[0]), after[1]]
    sign = "" if oldest else "-"
    order = (f"{sign}{TABLE}.received_at", f"{sign}{TABLE}.case_id")
    if not query.postgres:
        order = (f"{sign}received_at", f"{sign}id")
    rows = queryset.extra(  # noqa: S610 - constants only; the values are parameters
        tables=[TABLE], where=where, params=params, order_by=order
    )
    return list(rows[:limit])


def find_case_ids(text: str, *, limit: int = DEFAULT_LIMIT) -> Found:
    """Ids of the cases matching `text`, at most `limit`; two queries.

    When the words match at most RANK_LIMIT cases: best first (the case or serial number
    typed, then by relevance, then newest). When they match more, or collecting them took
    too long: the case or serial number typed, then the newest matches. Nothing to search:
    no ids. Visibility is the caller's business (or use `filter_cases` on a visible
    queryset)."""
    from caseflow.cases.selectors import OverBudget, time_budget

    matches = collect_matches(text)
    whole = matches.whole_words
    if not matches.ids and matches.ids is not None:
        return Found(ids=[], count=0)
    if matches.few:
        ids = rank_ids(matches.ids or [], text, limit=min(limit, RANK_LIMIT), whole_words=whole)
        return Found(ids=ids, count=matches.count, whole_words=whole)
    try:
        with time_budget(SEARCH_BUDGET_MS):
            ids = newest_ids(text, limit=min(limit, 10_000), whole_words=whole)
    except OverBudget:
        return Found(ids=[], count=matches.count, whole_words=whole, too_slow=True)
    return Found(ids=ids, count=matches.count, whole_words=whole)


def search_case_ids(text: str, *, limit: int = DEFAULT_LIMIT) -> list[int]:
    """The ids of `find_case_ids`: best first, or newest first for a word that matches more
    than RANK_LIMIT cases."""
    return find_case_ids(text, limit=limit).ids


def count_matches(queryset: QuerySet[Case], text: str, *, limit: int = RANK_LIMIT) -> int | None:
    """How many cases of `queryset` match `text`, counted up to `limit` + 1 (a result above
    `limit` means "more"); None when counting took longer than its budget. One query (on
    PostgreSQL inside the count's time budget, see `selectors.bounded_rows`)."""
    from caseflow.cases.selectors import count_up_to

    if not _Query(text):
        return 0
    return count_up_to(filter_cases(queryset, text, ranked=False), limit)


def filter_cases(
    queryset: QuerySet[Case], text: str, *, ranked: bool = True, whole_words: bool = False
) -> QuerySet[Case]:
    """`queryset` restricted to the cases matching `text`.

    Not `ranked` (for pages ordered by date, and for `collect_matches`): `id IN (the
    matching ids)`, to be ordered by the caller, and nestable.

    `ranked`: the newest RANK_LIMIT matches and the case or serial number typed, each with
    its `search_rank`, best first (that number, relevance, newest) — every match when there
    are at most RANK_LIMIT. The search table is joined in (`QuerySet.extra`: it has no
    model), so the result can be filtered, ordered, counted and sliced further, but not
    nested in another query. (The desk ranks the ids `collect_matches` found instead:
    `rank_ids`, which reads the index once.)

    A query with nothing to search matches nothing. `whole_words`: no prefix matching (see
    `collect_matches`).
    """
    query = _Query(text, whole_words=whole_words)
    if not query:
        return queryset.none()
    if not ranked:
        # constants only; the query text is a parameter
        return queryset.filter(pk__in=RawSQL(*query.ids()))  # noqa: S611
    table = connection.ops.quote_name(TABLE)
    key = f"{table}.case_id" if query.postgres else f"{table}.rowid"
    match, match_params = query.match(table)
    window, window_params = query.window(key)
    if query.postgres:  # the window implies the match: don't read every document twice
        match, match_params = window, window_params
    else:  # bm25() needs the MATCH in the same query
        match, match_params = f"{match} AND {window}", [*match_params, *window_params]
    rank, rank_params = query.rank(table, key)
    return queryset.extra(  # noqa: S610 - constants only; the query text is a parameter
        select={"search_rank": rank},
        select_params=rank_params,
        tables=[TABLE],
        where=[f"{key} = {connection.ops.quote_name(Case._meta.db_table)}.id", match],
        params=match_params,
        # the search table's own copy of received_at and id: ties in rank are common, and
        # sorting on the search table alone lets PostgreSQL join only the page's cases
        order_by=[
            "-search_rank",
            *(
                (f"-{TABLE}.received_at", f"-{TABLE}.case_id")
                if query.postgres
                else ("-received_at", "-id")
            ),
        ],
    )


def filter_by_ids(queryset: QuerySet[Case], ids: Iterable[int]) -> QuerySet[Case]:
    """`queryset` restricted to `ids`, in their order (e.g. from `search_case_ids`)."""
    ids = list(ids)
    if not ids:
        return queryset.none()
    order = CaseWhen(
        *(When(pk=pk, then=Value(pos)) for pos, pk in enumerate(ids)),
        output_field=IntegerField(),
    )
    return queryset.filter(pk__in=ids).order_by(order)


# --- snippets ---------------------------------------------------------------------------------

# The marks unquoted: PostgreSQL 15 dropped them when quoted.
_PG_HEADLINE_OPTIONS = (
    f"StartSel={SNIPPET_START}, StopSel={SNIPPET_STOP}, MaxWords=18, MinWords=6, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# The text a snippet is cut from, bounded: ts_headline parses all of it, on every call.
PG_SNIPPETS = f"""
SELECT c.id, ts_headline(
    s.config,
    concat_ws(' … ', left(c.symptom, {SNIPPET_SOURCE_CHARS}),
              left(c.diagnosis, {SNIPPET_SOURCE_CHARS}), left(c.solution, {SNIPPET_SOURCE_CHARS}),
              ev.text),
    cases_search_query(%s),
    %s
)
FROM cases_case c
JOIN {TABLE} s ON s.case_id = c.id
LEFT JOIN LATERAL (
    SELECT left(string_agg(left(e.text, {SNIPPET_SOURCE_CHARS}), ' … ' ORDER BY e.id),
                {SNIPPET_SOURCE_CHARS}) AS text
    FROM cases_timelineevent e WHERE e.case_id = c.id AND e.text <> ''
) ev ON true
WHERE c.id = ANY(%s)
"""
SQLITE_SNIPPETS = f"""
SELECT rowid, snippet({TABLE}, 1, %s, %s, '…', 16), snippet({TABLE}, 2, %s, %s, '…', 16)
FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({{ids}})
"""


def snippets(case_ids: Sequence[int], text: str, *, whole_words: bool = False) -> dict[int, str]:
    """Why each of `case_ids` matched `text`: a short extract of its symptom, diagnosis,
    solution or timeline with each matched word between SNIPPET_START and SNIPPET_STOP.
    Plain text as the customer wrote it (escape it before showing it); cases whose match is
    only in the number, serial or subject get none. One query, for one page of cases.

    PostgreSQL: `ts_headline` over the first SNIPPET_SOURCE_CHARS of each text; SQLite:
    FTS5's `snippet()` of the body, or else the events column."""
    query = _Query(text, whole_words=whole_words)
    ids = list(dict.fromkeys(case_ids))[:200]
    if not query or not ids:
        return {}
    rows: list[tuple[Any, tuple[Any, ...]]]
    with connection.cursor() as cursor:
        if query.postgres:
            cursor.execute(PG_SNIPPETS, [query.param, _PG_HEADLINE_OPTIONS, ids])
            rows = [(pk, (extract,)) for pk, extract in cursor.fetchall()]
        else:
            cursor.execute(
                SQLITE_SNIPPETS.format(ids=", ".join(["%s"] * len(ids))),
                [SNIPPET_START, SNIPPET_STOP] * 2 + [query.param, *ids],
            )
            rows = [(pk, (body, events)) for pk, body, events in cursor.fetchall()]
    found = {}
    for pk, extracts in rows:
        extract = next((e for e in extracts if e and SNIPPET_START in e), None)
        if extract:
            found[pk] = extract.strip()
    return found
