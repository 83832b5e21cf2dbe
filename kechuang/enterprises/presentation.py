"""Turning merged facts into what the profile page shows: labelled tables, chart series and the
source of every value. Labels come from the interchange standard's schema, so the page, the
Excel templates and the API speak the same terms."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from kechuang.core import formatting
from kechuang.engine.facts.schema import SECTIONS

from .choices import IP_CLASS_I
from .models import Enterprise
from .selectors import MergedFacts

_YEAR_ROWS = ["employees", "tech_staff", "rd_staff", "high_level_talent", "social_insurance_headcount",
              "operating_revenue", "main_business_revenue", "sales_revenue", "high_tech_revenue",
              "rd_expense", "rd_expense_domestic", "total_assets", "total_liabilities", "net_profit",
              "tax_paid", "tax_credit_grade", "tech_conversions", "total_income",
              "non_taxable_income", "cost_expense_total"]
_PROFILE_ROWS = ["name", "registered_on", "region_code", "industry_code", "registered_capital",
                 "resident_enterprise", "restricted_industry", "hnte_field", "strategic_emerging",
                 "star_market_sector", "niche_years", "market_share", "market_rank_cn",
                 "rd_institution_level", "digital_level", "quality_items", "srdi_platform_score"]


def display(section: str, name: str, value) -> str:
    """A value as a person reads it: choices by their Chinese label, amounts with separators,
    ratios as percentages, booleans as 是/否."""
    if value is None or value == "":
        return "—"
    field = SECTIONS[section].by_name.get(name)
    kind = field.type if field else None
    if kind == "bool" or isinstance(value, bool):
        return _("是") if value else _("否")
    # The standard carries its choice labels in both languages (engine data, no gettext).
    if kind == "enum" and field is not None:
        return field.label_of(value, english=formatting.english())
    if kind == "enum_list" and field is not None:
        return ("; " if formatting.english() else "、").join(
            field.label_of(v, english=formatting.english()) for v in value)
    if kind == "amount":
        return formatting.money(value)
    if kind == "ratio":
        return formatting.percent(value)
    if isinstance(value, date) or name.endswith("_on"):
        return formatting.cn_date(value)
    if name == "region_code":
        return formatting.region_name(value)
    return str(value)


def label(section: str, name: str) -> str:
    field = SECTIONS[section].by_name.get(name)
    if field is None:
        return name
    return field.label_en if formatting.english() else field.label_zh


def _source_text(facts: MergedFacts, origin) -> str:
    """"来源名称 · 批次#12 · 2026年11月23日 07:27 · 操作人" for one value (memoised per batch)."""
    memo = facts.__dict__.setdefault("_source_texts", {})
    text = memo.get(origin.batch_id)
    if text is None:
        text = memo[origin.batch_id] = _describe_batch(facts, origin)
    return text


def _describe_batch(facts: MergedFacts, origin) -> str:
    batch = facts.batches.get(origin.batch_id)
    source = facts.sources.get(origin.source_id)
    when = formatting.cn_date(origin.recorded_at)
    who = formatting.actor_name(batch.actor_label) if batch else ""
    return _("%(source)s · 批次#%(batch)s · %(when)s · %(who)s") % {
        "source": source.display_name if source else "?", "batch": origin.batch_id, "when": when, "who": who}


def profile_context(enterprise: Enterprise, facts: MergedFacts) -> dict:
    record, prov = facts.record, facts.provenance
    profile_prov = prov.get("profile", {}).get("", {})
    profile_rows = [
        {"label": label("profile", n), "value": display("profile", n, record.get(n)),
         "source": _source_text(facts, profile_prov[n]) if n in profile_prov else ""}
        for n in _PROFILE_ROWS]
    years = record.get("years") or []
    year_prov = prov.get("years", {})
    year_table = []
    for n in _YEAR_ROWS:
        cells = []
        for y in years:
            origin = year_prov.get(str(y["year"]), {}).get(n)
            cells.append({"value": display("years", n, y.get(n)),
                          "source": _source_text(facts, origin) if origin else ""})
        if any(c["value"] != "—" for c in cells):
            year_table.append({"label": label("years", n), "cells": cells})

    def series(name):
        return [float(y[name]) if y.get(name) is not None else None for y in years]

    rd_ratio = []
    for y in years:
        rev, rd = y.get("operating_revenue"), y.get("rd_expense")
        rd_ratio.append(round(float(rd) / float(rev) * 100, 2) if rev and rd is not None and rev > 0 else None)
    ip = record.get("ip") or []
    ip_by_type: dict[str, int] = {}
    for item in ip:
        ip_by_type[display("ip", "type", item.get("type"))] = ip_by_type.get(display("ip", "type", item.get("type")), 0) + 1
    lists = []
    for section in ("ip", "certificates", "equity_financing", "awards", "standards_led", "maker_china",
                    "loans", "judgments", "penalties", "incidents"):
        items = record.get(section) or []
        if not items:
            continue
        names = [f.name for f in SECTIONS[section].fields]
        shown = [n for n in names if any(item.get(n) is not None for item in items)]
        sec_prov = prov.get(section, {})
        rows = []
        for key, item in zip(sec_prov.keys(), items, strict=False):
            origin = sec_prov.get(key, {}).get("*")
            rows.append({"cells": [display(section, n, item.get(n)) for n in shown],
                         "source": _source_text(facts, origin) if origin else ""})
        lists.append({"name": section, "title": SECTIONS[section].label_en if formatting.english() else SECTIONS[section].label_zh,
                      "headers": [label(section, n) for n in shown], "rows": rows[:200],
                      "more": max(0, len(rows) - 200)})
    return {
        "profile_rows": profile_rows,
        "years": [y["year"] for y in years],
        "year_table": year_table,
        "lists": lists,
        "ip_class1": sum(1 for i in ip if i.get("type") in IP_CLASS_I),
        "chart": {
            "years": [str(y["year"]) for y in years],
            "revenue": series("operating_revenue"), "rd_expense": series("rd_expense"),
            "net_profit": series("net_profit"), "employees": series("employees"),
            "tech_staff": series("tech_staff"), "rd_staff": series("rd_staff"),
            "rd_ratio": rd_ratio,
            "ip_by_type": [{"name": k, "value": v} for k, v in sorted(ip_by_type.items())],
        },
    }
