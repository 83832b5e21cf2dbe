"""Bulk writing of a run's rows: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` elsewhere.

A region run stores one result per enterprise × standard and one placement per enterprise — millions
of rows for a large region. Building a Django model instance per row and ``bulk_create`` costs more
than the evaluation itself, so the service hands plain tuples in the tables' column order to
:func:`copy_rows` (the same technique as ``kechuang.enterprises.loading``). JSON columns take JSON
text (the engine's compact clause JSON is stored as produced, never parsed and re-encoded).
It runs inside the caller's transaction: a failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection, models

from .models import EvaluationResult, TierPlacement

#: Columns written for each table, in the order of the tuples the service builds.
RESULT_COLUMNS = ("run_id", "enterprise_id", "standard", "version", "status", "score", "score_min",
                  "score_max", "route", "clauses", "gaps")
PLACEMENT_COLUMNS = ("run_id", "enterprise_id", "region_code", "tier", "tier_rank", "flags",
                     "next_standard", "next_status", "failing", "unknown", "points_short", "closeness")
#: Rows per ``executemany`` on databases without COPY.
INSERT_BATCH = 5000


def json_text(value: Any) -> str | None:
    """A JSON column's value as text (``None`` stays SQL NULL)."""
    if value is None:
        return None
    return orjson.dumps(value).decode()


def _check_columns(model: type[models.Model], columns: Sequence[str]) -> None:
    known = {f.column for f in model._meta.concrete_fields}
    bad = [c for c in columns if c not in known]
    if bad:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(bad)}")


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Write ``rows`` (tuples in ``columns`` order; Decimal, str, int, None; JSON as text) into
    ``model``'s table. Returns the number of rows written."""
    _check_columns(model, columns)
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
                    n += 1
            return n
        marks = ", ".join("%s" for _ in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(str(v) if isinstance(v, Decimal) else v for v in row))
            if len(batch) >= INSERT_BATCH:
                cur.executemany(sql, batch)
                n += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def write_results(rows: Iterable[tuple]) -> int:
    return copy_rows(EvaluationResult, RESULT_COLUMNS, rows)


def write_placements(rows: Iterable[tuple]) -> int:
    return copy_rows(TierPlacement, PLACEMENT_COLUMNS, rows)
