"""The one-enterprise path: ``evaluate_record``, ``check_record`` and ``what_if``."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

from .features import compute_row
from .gaps import gaps_for
from .nodes import assemble, eval_nodes
from .rules import Registry, Standard, builtin_registry
from .schema import Context, Issue, record_to_row

_REGISTRY: list[Registry] = []


def default_registry() -> Registry:
    """The built-in standards (loaded and checked once per process)."""
    if not _REGISTRY:
        _REGISTRY.append(builtin_registry())
    return _REGISTRY[0]


def as_date(as_of: dt.date | str) -> dt.date:
    return as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)


def evaluate_prepared(row: dict[str, Any], issues: list[Issue], ctx: Context, standards: list[Standard],
                      with_gaps: bool = True) -> list[dict[str, Any]]:
    names = sorted({f for s in standards for f in s.features()})
    feats = compute_row(row, ctx, names)
    experts = row.get("expert_scores") or {}
    out = []
    for std in standards:
        res = eval_nodes(std, feats, experts)
        gaps = gaps_for(std, res, row, feats, ctx, issues) if with_gaps else []
        out.append(assemble(std, ctx, row.get("uscc"), res, gaps))
    return out


def evaluate_record(record: dict[str, Any], as_of: dt.date | str, standards: list[str] | None = None,
                    registry: Registry | None = None, with_gaps: bool = True) -> list[dict[str, Any]]:
    """Evaluate one interchange record against ``standards`` (family or version ids; ``None`` = every
    family's version in force on ``as_of``). One result per standard, in the data standard's format."""
    ctx = Context(as_date(as_of))
    stds = (registry or default_registry()).select(standards, ctx.as_of)
    row, issues = record_to_row(record, ctx)
    return evaluate_prepared(row, issues, ctx, stds, with_gaps)


def check_record(record: dict[str, Any], as_of: dt.date | str) -> list[dict[str, str]]:
    """The problems the engine found in a record's facts: impossible values, future dates, unknown IP
    types … each with the fact's path and a message in Chinese and English."""
    return [i.as_dict() for i in record_to_row(record, Context(as_date(as_of)))[1]]


_PATH = re.compile(r"^(?P<list>[a-z_]+)\[(?P<key>\+|-?\d+)\](?:\.(?P<field>[a-z_0-9]+))?$")


def apply_changes(record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with ``changes`` applied. Paths: ``field`` (top level),
    ``years[2025].tech_staff`` (the year entry is created if absent), ``ip[+]`` (append an item),
    ``ip[0].used_in_hnte`` (an item by position)."""
    rec = copy.deepcopy(record)
    for path, value in changes.items():
        m = _PATH.match(path)
        if m is None:
            if "[" in path or "." in path:
                raise ValueError(f"bad change path {path!r}")
            rec[path] = value
            continue
        lst, key, fld = m["list"], m["key"], m["field"]
        if rec.get(lst) is None:
            rec[lst] = []
        items = rec[lst]
        if lst == "years" and key != "+":
            year = int(key)
            entry = next((y for y in items if y.get("year") == year), None)
            if entry is None:
                entry = {"year": year}
                items.append(entry)
            if fld is None:
                raise ValueError(f"{path}: name the annual fact to change")
            entry[fld] = value
        elif key == "+":
            items.append(value)
        else:
            idx = int(key)
            if fld is None:
                items[idx] = value
            else:
                items[idx][fld] = value
    return rec


def what_if(record: dict[str, Any], changes: dict[str, Any], as_of: dt.date | str,
            standards: list[str] | None = None, registry: Registry | None = None) -> dict[str, Any]:
    """Evaluate ``record`` before and after ``changes`` (see :func:`apply_changes`).

    Returns ``{"before": [...], "after": [...], "changed": [{standard, before, after}]}``."""
    before = evaluate_record(record, as_of, standards, registry)
    after = evaluate_record(apply_changes(record, changes), as_of, standards, registry)
    changed = [
        {"standard": a["standard"], "version": a["version"], "before": b["status"], "after": a["status"],
         "score_before": b["score"] if b["score"] is not None else b["score_range"],
         "score_after": a["score"] if a["score"] is not None else a["score_range"]}
        for b, a in zip(before, after, strict=True)
        if (b["status"], b["score"], b["score_range"]) != (a["status"], a["score"], a["score_range"])
    ]
    return {"before": before, "after": after, "changed": changed}
