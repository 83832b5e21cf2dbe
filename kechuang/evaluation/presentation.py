"""Turning engine results into what the report shows: labels, badge colours, the half of the
bilingual gap texts in the page's language, and clause titles and citations from the rule data in
the page's language (``title``/``title_en``, ``source``/``source_en`` of ``clause_catalog``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kechuang.core import formatting
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


def _shown(v: Any, version: str, clause_id: str) -> str:
    """A clause's value or threshold in the page's units (万元, %, 是/否; see core.formatting)."""
    return _value(formatting.clause_value(v, version, clause_id))


def result_view(result: dict[str, Any]) -> dict[str, Any]:
    """One result for the report template: values in the page's units, and every key the engine's
    texts quote (fact paths, features, clause ids) by its Chinese name."""
    version = result.get("version", "")
    titles = {c["id"]: formatting.clause_title(version, c["id"], c["title"]) for c in result["clauses"]}
    score = result["score"] if result["score"] is not None else (
        "～".join(str(x) for x in result["score_range"]) if result["score_range"] else None)
    return {
        **result,
        "label": STANDARD_LABELS.get(result["standard"], result["standard"]),
        "status_label": STATUS_LABELS.get(result["status"], result["status"]),
        "color": RESULT_STATUS_COLORS.get(result["status"], "secondary"),
        "route_label": ROUTE_LABELS.get(result["route"], result["route"]),
        "score_text": score,
        "rows": [{"id": c["id"], "title": titles[c["id"]], "status": c["status"],
                  "status_label": STATUS_LABELS.get(c["status"], c["status"]),
                  "color": RESULT_STATUS_COLORS.get(c["status"], "secondary"),
                  "value": _shown(c["value"], version, c["id"]),
                  "threshold": _shown(c["threshold"], version, c["id"]),
                  "points": _value(c["points"]),
                  "source": formatting.clause_source(version, c["id"], c["source"])} for c in result["clauses"]],
        "gap_rows": [{"clause": g["clause"], "clause_title": titles.get(g["clause"]) or formatting.key_name(g["clause"]),
                      "needed": formatting.readable(formatting.names_in_text(zh(g["needed"]), titles))} for g in result["gaps"]],
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
