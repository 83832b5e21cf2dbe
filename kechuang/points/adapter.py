"""The thin adapter between the theme database and the Django-free points engine: the facts of
enterprises **as known at the end of the scoring date** (``merged_facts(ids, at=...)``), as the
engine's facts frame."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

import polars as pl
from django.utils import timezone

from kechuang.engine.points import FACTS_SCHEMA, record_facts
from kechuang.enterprises.selectors import merged_facts

#: Enterprises whose facts are read per query (each read touches every fact table once).
FACTS_CHUNK = 2000


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def facts_as_of(enterprise_ids: Iterable[int], *, as_of: date,
                chunk: int = FACTS_CHUNK) -> Iterator[tuple[list[int], pl.DataFrame]]:
    """Chunks of ``(enterprise ids, facts frame)``; enterprises nothing was known of are left out."""
    ids = list(enterprise_ids)
    at = end_of_day(as_of)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        merged = merged_facts(part, at=at)
        kept, rows = [], []
        for eid in part:
            m = merged.get(eid)
            if m is not None and len(m.record) > 1:
                kept.append(eid)
                rows.append(record_facts(m.record, as_of))
        if kept:
            yield kept, pl.DataFrame(rows, schema=FACTS_SCHEMA)
