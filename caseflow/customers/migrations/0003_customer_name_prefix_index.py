"""Incoming-call lookup by name prefix (customers.selectors.customers_by_name_prefix).

PostgreSQL: an index on lower(name) in the "C" collation, so a prefix is a range scan in
code-point order whatever the database's collation, and the first rows come out sorted.
SQLite compares bytes already: customers_name_lower_idx (lower(name), id) serves it."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customers_name_prefix_idx "
            'ON customers_customer ((lower(name) COLLATE "C"), id)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customers_name_prefix_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_customer_customers_name_idx"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
