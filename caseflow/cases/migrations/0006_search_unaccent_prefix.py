"""PostgreSQL: the case search drops accents and matches words as prefixes, as SQLite does.

- Text search configurations `caseflow_german`, `caseflow_spanish`, `caseflow_english` and
  `caseflow_simple`: PostgreSQL's own, with the `unaccent` dictionary before the stemmer
  (so "panaderia" finds *panadería*). `unaccent` ships with PostgreSQL's contrib package and
  is a trusted extension: a database owner may create it. Where it is missing (or may not be
  created) the configurations are plain copies and accents keep counting on PostgreSQL.
- `cases_search_query(text)` now takes the parsed query in `to_tsquery` syntax
  (caseflow.core.search.tsquery_text: prefix words marked `:*`) and normalises it under
  each of the four configurations; alternatives that only exclude are dropped.
- `cases_search_received_idx (received_at DESC, case_id DESC)` on the search table: the
  newest matches of a common word are read in date order instead of sorting every match.
- fillfactor 90: an event appended to a case's document keeps the row on its page, so the
  table stays in the order cases were received.

Documents written before this migration keep their old configuration until they are
rebuilt: run `manage.py reindex_search` afterwards on a database that holds cases.
"""

from django.db import migrations

LANGUAGES = (("german", "german_stem"), ("spanish", "spanish_stem"), ("english", "english_stem"))
QUERY_CONFIGS = ("caseflow_german", "caseflow_spanish", "caseflow_english", "caseflow_simple")

FUNCTION = """
CREATE OR REPLACE FUNCTION cases_search_query(query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery
    FROM unnest(ARRAY[{calls}]) AS q
    WHERE numnode(q) > 0 AND querytree(q) <> 'T'
$$
"""
# 0004's function, for going back
OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_search_query(query text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery
    FROM unnest(ARRAY[
        websearch_to_tsquery('german'::regconfig, query),
        websearch_to_tsquery('spanish'::regconfig, query),
        websearch_to_tsquery('english'::regconfig, query),
        websearch_to_tsquery('simple'::regconfig, query)
    ]) AS q
    WHERE numnode(q) > 0
$$
"""
RECEIVED_INDEX = (
    "CREATE INDEX IF NOT EXISTS cases_search_received_idx "
    "ON cases_casesearch (received_at DESC, case_id DESC)"
)


def _unaccent(schema_editor) -> bool:
    """Whether the `unaccent` dictionary is there (created here if it may be)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if cursor.fetchone() is None:
            return False
        try:
            cursor.execute("SAVEPOINT caseflow_unaccent")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            cursor.execute("RELEASE SAVEPOINT caseflow_unaccent")
        except Exception:  # no privilege: configurations without it  # noqa: BLE001
            cursor.execute("ROLLBACK TO SAVEPOINT caseflow_unaccent")
            return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's FTS5 tokenizer drops accents already; the prefixes are in the query
    unaccent = "unaccent, " if _unaccent(schema_editor) else ""
    for language, stemmer in (*LANGUAGES, ("simple", "simple")):
        name = f"caseflow_{language}"
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{language})"
        )
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH {unaccent}{stemmer}"
        )
    calls = ", ".join(f"to_tsquery('{c}'::regconfig, query)" for c in QUERY_CONFIGS)
    schema_editor.execute(FUNCTION.format(calls=calls))
    schema_editor.execute(RECEIVED_INDEX)
    schema_editor.execute("ALTER TABLE cases_casesearch SET (fillfactor = 90)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_FUNCTION)
    schema_editor.execute("DROP INDEX IF EXISTS cases_search_received_idx")
    schema_editor.execute("ALTER TABLE cases_casesearch RESET (fillfactor)")
    # documents keep working with PostgreSQL's own configurations (reindex_search to redo them)
    whens = " ".join(f"WHEN 'caseflow_{lang}' THEN '{lang}'" for lang, _ in LANGUAGES)
    schema_editor.execute(
        f"UPDATE cases_casesearch SET config = (CASE config::text {whens} "
        "ELSE 'simple' END)::regconfig WHERE starts_with(config::text, 'caseflow_')"
    )
    for language, _stemmer in (*LANGUAGES, ("simple", "simple")):
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS caseflow_{language}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_lean_foreign_key_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
