"""The thin adapter between the theme database and the Django-free qualification engine.

It builds the engine's input (interchange records) from the merged facts **as known at the end of
the evaluation day** — never later, so a run on a past date sees only what was known then — and
turns the engine's batch rows into placements on the ladder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

import orjson
from django.utils import timezone

from kechuang.engine.facts.rows import to_jsonable
from kechuang.engine.qualification import Standard, ladder
from kechuang.engine.qualification.batch import batch_row_nodes
from kechuang.engine.qualification.ladder import TIERS
from kechuang.engine.qualification.nodes import STATUS, clause_out
from kechuang.enterprises.selectors import merged_facts

#: Enterprises whose facts are read per query (each read touches every fact table once).
FACTS_CHUNK = 2000
#: Families that form the ladder's rungs (only these can be "the next standard").
LADDER_FAMILIES = frozenset(f for f, _r in TIERS)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the platform's time zone: what was known on that day."""
    return timezone.make_aware(datetime.combine(day, time.max))


def records_as_of(enterprise_ids: Iterable[int], *, as_of: date,
                  chunk: int = FACTS_CHUNK) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(enterprise id, interchange record)`` for each enterprise, from the facts known at the end
    of ``as_of`` (no look-ahead), JSON-ready as the engine and the data standard expect."""
    ids = list(enterprise_ids)
    at = end_of_day(as_of)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        merged = merged_facts(part, at=at)
        for eid in part:
            if eid in merged:
                # A list a source reported empty comes back as [] ("known: none"); one no source
                # reported stays absent, which the engine reads as unknown, never as "none".
                yield eid, to_jsonable(merged[eid].record)


def _light_result(std: Standard, row: dict[str, Any]) -> dict[str, Any]:
    """A batch row as the result dict :func:`ladder` reads: status for every standard and, for a
    rung not met, the clauses (id, status, points; the pass mark with value and threshold)."""
    result = {"standard": std.family, "version": std.id, "status": row["status"], "clauses": [],
              "gaps": []}
    if row["status"] == "met" or std.family not in LADDER_FAMILIES or not row.get("clauses"):
        return result
    nodes = batch_row_nodes(std, row["clauses"])
    pass_id = f"{std.id}.pass"
    clauses = []
    for c in std.nodes():
        r = nodes[c.id]
        if c.id == pass_id:
            clauses.append(clause_out(std, c, r))
        else:
            clauses.append({"id": c.id, "status": STATUS[r.status],
                            "points": r.lo if c.is_score else None})
    result["clauses"] = clauses
    return result


def placement(standards: dict[str, Standard], rows: list[dict[str, Any]], *,
              with_details: bool) -> dict[str, Any]:
    """The engine's ladder for one enterprise's batch rows (all standards of the run): tier, flags
    and the next rung with its failing/unknown clause counts (``None`` without clause detail)."""
    results = [_light_result(standards[r["version"]], r) for r in rows]
    out = ladder(results)
    nxt = out["next"]
    if nxt is not None and not with_details:
        nxt = {"standard": nxt["standard"], "version": nxt["version"], "status": nxt["status"],
               "failing": None, "unknown": None, "points_short": None}
        out["next"] = nxt
    return out


def compact_clauses(text: str | None) -> Any:
    """The engine's compact clause JSON as stored (parsed once, kept compact)."""
    return orjson.loads(text) if text else None

