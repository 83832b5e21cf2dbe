"""The ladder: an enterprise's tier on 科技型/创新型 → 专精特新 → 小巨人, its flags, and how close
it is to each standard it does not yet meet."""

from __future__ import annotations

from typing import Any

TIERS = (("little-giant", 3), ("srdi-sme", 2), ("innovative-sme", 1), ("tsme", 1))
TIER_NAMES = {0: None, 1: "tech-innovative-sme", 2: "srdi-sme", 3: "little-giant"}
FLAGS = {"hnte": "hnte", "star-market": "star_market", "gazelle-sd": "gazelle"}


def closeness(result: dict[str, Any]) -> dict[str, Any]:
    """How far a result is from ``met``: failing and unknown clauses (leaf conditions), manual items,
    and for scored standards the points still missing at the lower end of the range."""
    leaves = [c for c in result["clauses"] if c["points"] is None and not c["id"].startswith(result["version"])]
    failing = [c["id"] for c in leaves if c["status"] == "unmet"]
    unknown = [c["id"] for c in leaves if c["status"] == "unknown"]
    manual = [c["id"] for c in leaves if c["status"] == "manual_review"]
    short = None
    pas = next((c for c in result["clauses"] if c["id"] == f"{result['version']}.pass"), None)
    if pas is not None:
        lo = pas["value"][0] if isinstance(pas["value"], list) else pas["value"]
        short = max(0, pas["threshold"] - lo + (1 if ">" in pas["title"] and "≥" not in pas["title"] else 0))
    return {"standard": result["standard"], "version": result["version"], "status": result["status"],
            "failing": len(failing), "unknown": len(unknown), "manual": len(manual),
            "failing_clauses": failing, "points_short": short, "gaps": len(result["gaps"])}


def ladder(results: list[dict[str, Any]]) -> dict[str, Any]:
    """``{tier, tier_rank, flags, versions, next}`` from one enterprise's results (all standards of
    one evaluation run). ``next`` is the closest standard above the current tier."""
    by_family = {r["standard"]: r for r in results}
    rank = 0
    for fam, r in TIERS:
        if fam in by_family and by_family[fam]["status"] == "met":
            rank = max(rank, r)
    flags = {flag: (by_family[fam]["status"] if fam in by_family else None) == "met" for fam, flag in FLAGS.items()}
    above = [closeness(by_family[fam]) for fam, r in sorted(TIERS, key=lambda t: t[1]) if r > rank and fam in by_family]
    nxt = min(above, key=lambda c: (c["failing"], c["unknown"], c["points_short"] or 0), default=None)
    return {"tier": TIER_NAMES[rank], "tier_rank": rank, "flags": flags,
            "versions": {r["standard"]: r["version"] for r in results}, "next": nxt}
