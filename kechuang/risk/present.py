"""How a warning's signals and evidence read on a page and in the export: labels from the rule
set stored in the run (Chinese, or its English label in English), sections and signals by name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import unit_en
from kechuang.enterprises.models import source_label
from . import choices as c

SECTIONS = {"loans": _("贷款记录"), "judgments": _("裁判文书"), "penalties": _("行政处罚"), "incidents": _("不良事件与名单"),
            "market": _("平台担保/保险代偿"), "years": _("年度数据")}
#: Signals whose value is a share (shown as a percentage) or a probability.
SHARE_SIGNALS = frozenset({"si_drop", "pd"})


def _english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def signal_labels(rules: dict) -> dict[str, str]:
    key = "label_en" if _english() else "label"
    return {s["name"]: s.get(key) or s["name"] for s in rules.get("signals", [])}


def signal_rows(w) -> list[dict[str, Any]]:
    """The run's signals in rule order: label, value, level (only those known or fired)."""
    labels = signal_labels(w.run.rules)
    rows = []
    for s in w.run.rules.get("signals", []):
        name = s["name"]
        value = w.values.get(name)
        level = c.Level(w.levels.get(name, "none"))
        if value in (None, 0, 0.0) and level == c.Level.NONE:
            continue
        unit = s.get("unit", "")
        rows.append({"name": name, "label": labels.get(name, name), "value": value,
                     "unit": (s.get("unit_en") or unit_en(unit)) if _english() else unit,
                     "share": name in SHARE_SIGNALS, "level": level,
                     "thresholds": [(t["min"], c.Level(t["level"])) for t in s.get("thresholds", [])]})
    return rows


INCIDENTS = {"serious_dishonesty_list": _("严重失信主体名单"), "abnormal_operation_list": _("经营异常名录"),
             "equity_frozen": _("股权被冻结"),
             "major_safety_accident": _("重大安全事故"), "major_quality_accident": _("重大质量事故"),
             "serious_environmental_violation": _("严重环境违法"), "serious_research_misconduct": _("严重科研失信")}


def _ident(e: dict) -> str:
    ident = e.get("ident") or ""
    if e.get("section") == "incidents":
        return str(INCIDENTS.get(ident, ident))
    if e.get("section") == "market" and ident.startswith("leg-"):
        return str(_("担保/保险环节 #%(n)s")) % {"n": ident[4:]}
    return ident


def evidence_rows(items: list[dict]) -> list[dict[str, Any]]:
    return [dict(e, section_label=SECTIONS.get(e.get("section"), e.get("section")), ident_label=_ident(e),
                 source=source_label(e.get("source"))) for e in items]
