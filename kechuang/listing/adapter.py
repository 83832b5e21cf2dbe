"""The thin adapter between the theme database and the Django-free listing engine: interchange
records as known at the end of the run day (no look-ahead), the milestones reached by that day,
and the engine's placement of each enterprise in each track."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from kechuang.engine.facts.rows import to_jsonable
from kechuang.engine.listing import milestone_rank, place, pool_features
from kechuang.engine.listing.pool import PoolRules
from kechuang.engine.qualification import records_to_frame
from kechuang.enterprises.selectors import merged_facts

from .models import Milestone

FACTS_CHUNK = 2000


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def records_as_of(ids: list[int], *, as_of: date) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(enterprise id, interchange record)`` from the merged facts known at the end of ``as_of``."""
    at = end_of_day(as_of)
    for start in range(0, len(ids), FACTS_CHUNK):
        part = ids[start:start + FACTS_CHUNK]
        merged = merged_facts(part, at=at)
        for eid in part:
            if eid in merged:
                yield eid, to_jsonable(merged[eid].record)


def milestone_ranks(ids: list[int], *, as_of: date) -> dict[int, int]:
    """The highest milestone each enterprise had reached on ``as_of`` (recorded by the run)."""
    out: dict[int, int] = {}
    for eid, kind in Milestone.objects.filter(enterprise_id__in=ids, occurred_on__lte=as_of).values_list(
            "enterprise_id", "kind"):
        out[eid] = max(out.get(eid, 0), milestone_rank(kind))
    return out


def placements(rules: PoolRules, ids: list[int], *, as_of: date) -> Iterator[tuple[int, dict[str, Any], dict]]:
    """``(enterprise id, pool features, placement per track)`` for the enterprises with facts."""
    rows = list(records_as_of(ids, as_of=as_of))
    if not rows:
        return
    ranks = milestone_ranks([eid for eid, _r in rows], as_of=as_of)
    feats = pool_features(records_to_frame([r for _e, r in rows]), as_of,
                          milestone_rank=[ranks.get(eid, 0) for eid, _r in rows])
    for (eid, _r), f in zip(rows, feats.to_dicts(), strict=True):
        yield eid, f, place(rules, f)
