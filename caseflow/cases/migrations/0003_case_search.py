"""The full-text index of cases (caseflow.cases.search): a tsvector table with a GIN index on
PostgreSQL, an FTS5 table on SQLite. Derived data, not a Django model; fill it with
`manage.py reindex_search` after upgrading a database that already holds cases."""

from django.db import migrations

POSTGRES = (
    """
    CREATE TABLE IF NOT EXISTS cases_casesearch (
        case_id bigint PRIMARY KEY,
        received_at timestamp with time zone NOT NULL,
        config regconfig NOT NULL,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS cases_search_document_idx ON cases_casesearch USING gin (document)",
)
SQLITE = (
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS cases_casesearch USING fts5(
        subject, body, events, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, ())
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute("DROP TABLE IF EXISTS cases_casesearch")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_seed_configuration"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
