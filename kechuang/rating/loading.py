"""Bulk writes of rating results: one COPY on PostgreSQL, ``executemany`` on SQLite."""

from __future__ import annotations

import orjson
from django.db import connection

from .models import RatingResult

COLUMNS = ("run_id", "enterprise_id", "region_code", "pd", "score", "grade", "points", "values",
           "reasons")


def _json(value) -> str:
    return orjson.dumps(value).decode()


def store_results(rows: list[tuple]) -> int:
    """Insert result rows ``(run_id, enterprise_id, region_code, pd: str, score: str, grade,
    points: dict, values: dict, reasons: list)``; returns the count."""
    if not rows:
        return 0
    table = RatingResult._meta.db_table
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    prepared = [(*r[:6], _json(r[6]), _json(r[7]), _json(r[8])) for r in rows]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', prepared)
    return len(prepared)
