"""Product types keep their name as the English one (no product type is shipped: the
demo's and the operators' own get their German and Spanish names in the admin)."""

from django.db import migrations
from django.db.models import F, Q


def forwards(apps, schema_editor):
    ProductType = apps.get_model("catalog", "ProductType")
    ProductType.objects.filter(Q(name_en__isnull=True) | Q(name_en="")).update(name_en=F("name"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_names_per_language")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
