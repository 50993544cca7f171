"""The name index (customers.NameWord): the folded words of every customer's and live
contact's name, so a lookup matches the start of any word, case- and accent-insensitively.

Filled from the existing rows before its indexes are built; replaces the lower(name) prefix
indexes, which only matched the start of the whole name."""

import django.db.models.deletion
from django.db import migrations, models

import caseflow.customers.models
from caseflow.customers.names import build_index


def backfill(apps, schema_editor):
    build_index(
        customer_model=apps.get_model("customers", "Customer"),
        contact_model=apps.get_model("customers", "Contact"),
        word_model=apps.get_model("customers", "NameWord"),
        using=schema_editor.connection.alias,
    )


def drop_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customers_name_prefix_idx")


def create_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customers_name_prefix_idx "
            'ON customers_customer ((lower(name) COLLATE "C"), id)'
        )


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_customer_name_prefix_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="NameWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", caseflow.customers.models.NameWordField(max_length=40)),
                (
                    "customer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.contact",
                    ),
                ),
                ("archived", models.BooleanField(default=False)),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="nameword",
            index=models.Index(
                fields=["word", "customer", "contact"],
                include=("archived",),
                name="customers_nameword_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="nameword",
            index=models.Index(fields=["customer", "word"], name="customers_nameword_cust_idx"),
        ),
        migrations.RemoveIndex(model_name="customer", name="customers_name_lower_idx"),
        migrations.RunPython(drop_prefix_index, create_prefix_index, elidable=False),
    ]
