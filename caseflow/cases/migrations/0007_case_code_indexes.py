"""Indexes for the case list's reason and resolution filters: each code's cases newest first.

Partial (`IS NOT NULL`): a case gets its codes when it is resolved, so opening a case writes
none of them. Building them on 1,000,000 cases takes a few seconds each and blocks writes
to `cases_case` meanwhile."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_search_unaccent_prefix"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("reason_general__isnull", False)),
                fields=["reason_general", "-received_at", "-id"],
                name="cases_reason_general_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("reason_specific__isnull", False)),
                fields=["reason_specific", "-received_at", "-id"],
                name="cases_reason_specific_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("resolution_general__isnull", False)),
                fields=["resolution_general", "-received_at", "-id"],
                name="cases_resolution_general_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("resolution_specific__isnull", False)),
                fields=["resolution_specific", "-received_at", "-id"],
                name="cases_resolution_specific_idx",
            ),
        ),
    ]
