"""The thin adapter between the theme database and the Django-free rating engine.

It reads each enterprise's merged facts **as known at the end of the rating date** (transaction
time: ``merged_facts(ids, at=...)``), hands the interchange records to
:func:`kechuang.engine.rating.features_frame` (which also drops items dated after the rating date)
and returns the features as a Polars frame with the enterprise ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

import polars as pl
from django.utils import timezone

from kechuang.engine.facts.rows import to_jsonable
from kechuang.engine.rating import features_frame
from kechuang.enterprises.selectors import merged_facts

#: Enterprises whose facts are read per query (each read touches every fact table once).
FACTS_CHUNK = 2000


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the platform's time zone: what was known on that day."""
    return timezone.make_aware(datetime.combine(day, time.max))


def records_as_of(enterprise_ids: Iterable[int], *, as_of: date, chunk: int = FACTS_CHUNK,
                  jsonable: bool = False) -> Iterator[list[tuple[int, dict]]]:
    """Chunks of ``(enterprise id, interchange record)`` from the facts known at the end of
    ``as_of``; enterprises with no fact known then are left out. The records keep the database's
    Python values (dates, decimals), which the feature code reads as they are — converting them
    to JSON values first cost an eighth of a run (``jsonable=True`` still does, for files)."""
    ids = list(enterprise_ids)
    at = end_of_day(as_of)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        merged = merged_facts(part, at=at)
        out = []
        for eid in part:
            m = merged.get(eid)
            if m is not None and len(m.record) > 1:  # more than the identity: something was known
                out.append((eid, to_jsonable(m.record) if jsonable else m.record))
        yield out


def features_as_of(enterprise_ids: Iterable[int], *, as_of: date,
                   chunk: int = FACTS_CHUNK) -> Iterator[pl.DataFrame]:
    """Chunks of features (``enterprise_id``, ``uscc`` and every rating feature) on ``as_of``."""
    for part in records_as_of(enterprise_ids, as_of=as_of, chunk=chunk):
        if not part:
            continue
        frame = features_frame([r for _eid, r in part], as_of)
        yield frame.with_columns(pl.Series("enterprise_id", [eid for eid, _r in part], dtype=pl.Int64))
