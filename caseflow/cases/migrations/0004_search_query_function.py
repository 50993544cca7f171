"""PostgreSQL: cases_search_query(text), the tsquery the case search runs.

What was typed is parsed under every text search configuration a case document can have
(caseflow.core.search.QUERY_CONFIGS) and the distinct results ORed. IMMUTABLE, so PostgreSQL
computes it once, while planning: the GIN index sees a constant, and the rank of each row
costs no re-parsing."""

from django.db import migrations

CREATE = """
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


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_search_query(text)")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_case_search"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
