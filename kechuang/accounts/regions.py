"""Shandong's administrative divisions (GB/T 2260) that the seed plans name: the province, its 16
cities and the districts of Jinan, Qingdao and Zibo (``data/regions.csv``)."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "regions.csv"


def regions_load(region_model) -> int:
    """Create or update every region in the data file; returns how many there are. Takes the
    model so the data migration can pass its historical one."""
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:  # parents come before their children in the file
        region_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"],
                                        "parent_id": row["parent"] or None})
    return len(rows)
