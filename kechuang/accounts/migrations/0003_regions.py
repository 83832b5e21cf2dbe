"""Load the administrative divisions the platform starts with (see accounts/regions.py)."""

from django.db import migrations

from kechuang.accounts.regions import regions_load


def load_regions(apps, schema_editor):
    regions_load(apps.get_model("accounts", "Region"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
