"""Load Shandong's administrative divisions (GB/T 2260) that the seed plans name: the province, its
16 cities, and the districts of Jinan, Qingdao and Zibo. More can be added in the admin."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def load_regions(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Region.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "name_en": row["name_en"],
                          "parent_id": row["parent"] or None})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
