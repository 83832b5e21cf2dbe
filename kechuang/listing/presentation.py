"""How the listing pages show engine output: clause values in 万元/亿元 or percentages, titles and
gaps in the request's language, tiers and conditions by name (never codes)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from kechuang.core import formatting
from kechuang.engine.listing import load_pool_rules
from kechuang.engine.listing.pool import POOL_FEATURES
from kechuang.engine.qualification import listing_registry
from kechuang.engine.qualification.features import FEATURES


@cache
def _clauses() -> dict[str, Any]:
    out = {}
    for std in listing_registry():
        for c in std.nodes():
            out[(std.id, c.id)] = c
    return out


@cache
def _pool_clauses() -> dict[str, Any]:
    rules = load_pool_rules()
    out = {}
    for track in rules.tracks:
        for t in track.tiers:
            out.update({c.id: c for c in t.entry.walk()})
        if track.stay is not None:
            out.update({c.id: c for c in track.stay.walk()})
    return out


def _value(v: Any, unit: str) -> Any:
    if v is None:
        return _("未知")
    if isinstance(v, bool):
        return formatting.yes_no(v)
    if unit == "yuan":
        return formatting.money(v)
    if unit == "ratio":
        return formatting.percent(v)
    return f"{v:g}" if isinstance(v, float) else v


def _bilingual(text: str) -> str:
    zh, _sep, en = (text or "").partition(" / ")
    return en if formatting.english() and en else zh


def readiness_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per board: status, the conditions (leaf clauses) with value and threshold shown by
    unit, and the gaps in the request's language."""
    en = formatting.english()
    rows = []
    for r in results:
        conds = []
        for cl in r["clauses"]:
            node = _clauses().get((r["version"], cl["id"]))
            if node is None or node.kind not in ("condition", "manual"):
                continue
            unit = FEATURES[node.feature].unit if node.feature in FEATURES else ""
            conds.append({"id": cl["id"], "title": (node.title_en if en and node.title_en else node.title),
                          "status": cl["status"], "value": _value(cl.get("value"), unit) if node.kind == "condition" else "—",
                          "threshold": _value(node.value, unit) if node.kind == "condition" else "—",
                          "source": node.source})
        std = listing_registry().get(r["version"])
        rows.append({"family": r["standard"], "version": r["version"], "status": r["status"],
                     "title": std.title_en if en else std.title_zh, "document": std.document,
                     "conditions": conds,
                     "gaps": [formatting.names_in_text(_bilingual(g["needed"])) for g in r.get("gaps", [])]})
    return rows


def condition_titles(ids: list[str]) -> list[str]:
    """Pool conditions by their title in the request's language."""
    en = formatting.english()
    out = []
    for cid in ids or ():
        c = _pool_clauses().get(cid)
        out.append((c.title_en if en and c.title_en else c.title) if c is not None else _("（规则已更新）"))
    return out


def pool_feature_titles() -> dict[str, str]:
    en = formatting.english()
    return {k: (f.title_en if en else f.title_zh) for k, f in POOL_FEATURES.items()}
