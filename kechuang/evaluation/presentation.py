"""Turning engine results into what the report shows: Chinese labels, badge colours, the Chinese
half of the bilingual gap texts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kechuang.core.formatting import english

from .choices import (FLAG_LABELS, RESULT_STATUS_COLORS, TIER_COLORS, ResultStatus, Route,
                      Standard, Tier)

STATUS_LABELS = dict(ResultStatus.choices)
STANDARD_LABELS = dict(Standard.choices)
ROUTE_LABELS = dict(Route.choices)
TIER_LABELS = dict(Tier.choices)


def zh(text: str) -> str:
    """The Chinese half of an engine text ``"中文 / English"`` (the English half when the page is in
    English)."""
    if not text:
        return text
    halves = text.split(" / ", 1)
    return halves[-1] if english() else halves[0]


def _value(v: Any) -> str:
    if v is None:
        return "—"
    if v is True:
        return _("是")
    if v is False:
        return _("否")
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1 else f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, list):
        return "～".join(_value(x) for x in v)
    return str(v)


def result_view(result: dict[str, Any]) -> dict[str, Any]:
    """One result for the report template."""
    score = result["score"] if result["score"] is not None else (
        "～".join(str(x) for x in result["score_range"]) if result["score_range"] else None)
    return {
        **result,
        "label": STANDARD_LABELS.get(result["standard"], result["standard"]),
        "status_label": STATUS_LABELS.get(result["status"], result["status"]),
        "color": RESULT_STATUS_COLORS.get(result["status"], "secondary"),
        "route_label": ROUTE_LABELS.get(result["route"], result["route"]),
        "score_text": score,
        "rows": [{"id": c["id"], "title": c["title"], "status": c["status"],
                  "status_label": STATUS_LABELS.get(c["status"], c["status"]),
                  "color": RESULT_STATUS_COLORS.get(c["status"], "secondary"),
                  "value": _value(c["value"]), "threshold": _value(c["threshold"]),
                  "points": _value(c["points"]), "source": c["source"]} for c in result["clauses"]],
        "gap_rows": [{"clause": g["clause"], "needed": zh(g["needed"])} for g in result["gaps"]],
    }


def ladder_view(lad: dict[str, Any] | None) -> dict[str, Any] | None:
    if lad is None:
        return None
    tier = lad["tier"] or Tier.NONE
    nxt = lad["next"]
    return {"tier": tier, "tier_label": TIER_LABELS.get(tier, tier), "color": TIER_COLORS.get(tier, "light"),
            "flags": [{"name": k, "label": FLAG_LABELS.get(k, k), "on": v} for k, v in lad["flags"].items()],
            "next_label": STANDARD_LABELS.get(nxt["standard"], nxt["standard"]) if nxt else None,
            "next": nxt}
